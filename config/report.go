package config

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/formgate/formgate/handlers/report"
	"github.com/formgate/formgate/web"
)

// DefaultReportRefresh is how often, by default, the report asks its
// source whether the CSV changed: a new daily export shows within a
// minute, and an unchanged one costs a conditional request a minute.
const DefaultReportRefresh = time.Minute

func isS3(csv string) bool { return strings.HasPrefix(csv, "s3://") }

// ReportSource opens the CSV the built-in report shows: the file at
// ReportCSV, the S3 object it names, or the embedded sample when it is
// empty. name is the file's base name ("sample.csv" for the sample), for
// the title and the download.
func (c Config) ReportSource(ctx context.Context, getenv func(string) string) (src report.Source, name string, err error) {
	switch {
	case c.ReportCSV == "":
		return report.Bytes("embedded sample.csv", web.SampleCSV()), "sample.csv", nil
	case isS3(c.ReportCSV):
		src, err := openS3(ctx, getenv, c.ReportCSV)
		if err != nil {
			return nil, "", fmt.Errorf("REPORT_CSV=%q: %w", c.ReportCSV, err)
		}
		return src, c.ReportCSV[strings.LastIndexByte(c.ReportCSV, '/')+1:], nil
	}
	return report.File(c.ReportCSV), filepath.Base(c.ReportCSV), nil
}

// ReportError says how to fix a report that cannot be loaded at start.
func (c Config) ReportError(err error) error {
	if isS3(c.ReportCSV) {
		return fmt.Errorf("REPORT_CSV: %w", err) // package s3report says what to check for each kind of failure
	}
	return fmt.Errorf("REPORT_CSV: %w; set it to the path of a CSV file bundled with the function, or unset it for the sample", err)
}
