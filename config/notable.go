//go:build !dynamodb

package config

import "errors"

// openTable: this binary was built without the DynamoDB store, so that
// the AWS SDK is not in it (it would add to every cold start).
func openTable(func(string) string, string, *Config) error {
	return errors.New("this binary has no DynamoDB support: build it with -tags dynamodb (make build makes report-shared.zip so)")
}
