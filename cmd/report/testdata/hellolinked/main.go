// Command hellolinked is the hello-world function with the DynamoDB and
// S3 clients linked in and made only if asked (HELLO_MAKE_CLIENTS=1), as
// report-shared.zip links them: the floor the SDK's package
// initialisation sets under that binary's init when it uses neither.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	if os.Getenv("HELLO_MAKE_CLIENTS") == "1" {
		_ = dynamodb.New(dynamodb.Options{Region: os.Getenv("AWS_REGION"), Credentials: aws.AnonymousCredentials{}})
		_ = s3.New(s3.Options{Region: os.Getenv("AWS_REGION"), Credentials: aws.AnonymousCredentials{}})
	}
	lambda.Start(func(ctx context.Context, e json.RawMessage) (map[string]any, error) {
		return map[string]any{"statusCode": 200, "body": "hello"}, nil
	})
}
