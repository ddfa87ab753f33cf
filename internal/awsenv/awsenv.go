// Package awsenv makes an AWS SDK client's settings from the environment
// Lambda gives every function, for the DynamoDB store and the S3 report
// alike. It stands in for the SDK's config package, which would also read
// profiles and ask the instance metadata service: its packages alone took
// a millisecond of every cold start.
package awsenv

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Config is the settings for a client of service, as the endpoint
// variable names it ("DYNAMODB", "S3"): the region from AWS_REGION (or
// AWS_DEFAULT_REGION); the credentials Lambda sets in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; and the endpoint from
// AWS_ENDPOINT_URL_<service>, else AWS_ENDPOINT_URL, for a local server
// (dynalite, s3rver), as the SDK's config package would take them;
// BaseEndpoint is nil for AWS's own. It reads no file and makes no
// request.
func Config(getenv func(string) string, service string) (aws.Config, error) {
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	id, key := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || key == "" {
		return aws.Config{}, errors.New("AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (Lambda sets them)")
	}
	c := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, key, getenv("AWS_SESSION_TOKEN")),
	}
	if u := getenv("AWS_ENDPOINT_URL_" + service); u != "" {
		c.BaseEndpoint = aws.String(u)
	} else if u := getenv("AWS_ENDPOINT_URL"); u != "" {
		c.BaseEndpoint = aws.String(u)
	}
	return c, nil
}
