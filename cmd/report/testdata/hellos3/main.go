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
