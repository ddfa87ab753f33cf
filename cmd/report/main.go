// Command report is formgate's AWS Lambda function: the `bootstrap` of a
// provided.al2023 runtime. It serves the gate behind API Gateway REST and
// HTTP APIs, Function URLs and ALBs alike.
//
// Build: GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags="-s -w" -o bootstrap ./cmd/report
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/lambdaproxy"
)

func main() {
	level := new(slog.LevelVar)
	// JSON lines: CloudWatch Logs Insights parses their fields.
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	// aws-lambda-go reports invocation errors through the standard log
	// package; route it through the same JSON handler.
	slog.SetDefault(log)
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		// Fail the init, loudly: a function without its secret must not run
		// (random per-container keys would reject each other's cookies).
		log.Error("formgate cannot start: fix the function's environment", "err", err)
		os.Exit(1)
	}
	level.Set(cfg.LogLevel)
	if cfg.Table != nil {
		cfg.Table.SetLogger(log)
	}
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	h, err := cfg.Handler(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("formgate cannot start", "err", err)
		os.Exit(1)
	}
	lambda.Start(lambdaproxy.New(h, log))
}
