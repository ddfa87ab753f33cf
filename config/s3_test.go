//go:build s3

package config

import (
	"context"
	"strings"
	"testing"
)

func TestReportSourceS3(t *testing.T) {
	lambda := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"}
	for _, c := range []struct {
		csv, name, err string
		env            map[string]string
	}{
		{"s3://reports/daily/sales.csv", "sales.csv", "", lambda},
		{"s3://reports/", "", `REPORT_CSV="s3://reports/": no key: write it as s3://BUCKET/KEY`, lambda},
		{"s3:///sales.csv", "", `REPORT_CSV="s3:///sales.csv": no bucket`, lambda},
		{"s3://reports/sales.csv", "", `REPORT_CSV="s3://reports/sales.csv": AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set`, nil},
	} {
		t.Run(c.csv, func(t *testing.T) {
			src, name, err := Config{ReportCSV: c.csv}.ReportSource(context.Background(), func(k string) string { return c.env[k] })
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || name != c.name || src.String() != c.csv {
				t.Fatalf("%v %q %v", src, name, err)
			}
		})
	}
}
