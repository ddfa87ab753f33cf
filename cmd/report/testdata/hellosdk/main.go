// Command hellosdk is the hello-world function with the DynamoDB client
// linked in and made at start, the way the shared store makes it: the
// floor the SDK itself sets under formgate's init with a table.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	db := dynamodb.New(dynamodb.Options{Region: os.Getenv("AWS_REGION"), Credentials: aws.AnonymousCredentials{}})
	lambda.Start(func(ctx context.Context, e json.RawMessage) (map[string]any, error) {
		_ = db
		return map[string]any{"statusCode": 200, "body": "hello"}, nil
	})
}
