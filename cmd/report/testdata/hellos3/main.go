// Command hellos3 is the hello-world function with the S3 client linked
// in and made at start, the way the S3 report makes it: the floor the SDK
// itself sets under formgate's init with REPORT_CSV=s3://….
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	c := s3.New(s3.Options{Region: os.Getenv("AWS_REGION"), Credentials: aws.AnonymousCredentials{}})
	lambda.Start(func(ctx context.Context, e json.RawMessage) (map[string]any, error) {
		_ = c
		return map[string]any{"statusCode": 200, "body": "hello"}, nil
	})
}
