//go:build s3

package config

import (
	"context"

	"github.com/formgate/formgate/handlers/report"
	"github.com/formgate/formgate/s3report"
)

// openS3 reads the report from the S3 object rawURL names, through a
// client made here from the environment, so that a binary with the S3
// reader does no SDK work at start unless REPORT_CSV is an s3:// URL.
func openS3(_ context.Context, getenv func(string) string, rawURL string) (report.Source, error) {
	return s3report.FromEnv(getenv, rawURL)
}
