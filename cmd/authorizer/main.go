// Command authorizer is the API Gateway custom authorizer of the
// native-prompt variant (examples/native-prompt): a provided.al2023
// `bootstrap`, built like cmd/report.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/formgate/formgate/authorizer"
	"github.com/formgate/formgate/config"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	checker, warnings, err := config.LoadChecker(os.Getenv)
	if err != nil {
		log.Error("authorizer cannot start: fix the function's environment", "err", err)
		os.Exit(1)
	}
	for _, w := range warnings {
		log.Warn(w)
	}
	a := &authorizer.Authorizer{Checker: checker, Logger: log}
	lambda.Start(a.Handle)
}
