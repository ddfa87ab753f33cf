// Command hello is the smallest aws-lambda-go function, built like
// formgate's bootstrap: the baseline of the cold-start and size
// benchmarks.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, e json.RawMessage) (map[string]any, error) {
		return map[string]any{"statusCode": 200, "body": "hello"}, nil
	})
}
