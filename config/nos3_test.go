//go:build !s3

package config

import (
	"context"
	"os"
	"strings"
	"testing"
)

// Without the S3 reader, an s3:// REPORT_CSV is refused with the build
// that has it.
func TestReportSourceNoS3(t *testing.T) {
	_, _, err := Config{ReportCSV: "s3://reports/sales.csv"}.ReportSource(context.Background(), os.Getenv)
	if err == nil || !strings.Contains(err.Error(), `REPORT_CSV="s3://reports/sales.csv": this binary cannot read S3: build it with -tags s3`) {
		t.Fatalf("err = %v", err)
	}
}
