//go:build !s3

package config

import (
	"context"
	"errors"

	"github.com/formgate/formgate/handlers/report"
)

// openS3: this binary was built without the S3 reader, so that the AWS
// SDK is not in it (it would add to every cold start).
func openS3(context.Context, func(string) string, string) (report.Source, error) {
	return nil, errors.New("this binary cannot read S3: build it with -tags s3 (make build makes report-shared.zip so; deploy it with --param=\"reportZip=report-shared.zip\")")
}
