// Command local runs formgate as a plain HTTP server for development.
//
//	go run ./cmd/local [-addr 127.0.0.1:8080] [-gateway rest|http] [-stage dev] [-remap-authorization]
//
// It reads the same environment as the Lambda function. What is missing
// it makes up, so it runs with no configuration at all: without any
// password or user list, the user name defaults to "admin" and a password
// is generated and printed once; without SESSION_SECRET one is generated.
//
// With -gateway, requests go the way they would on AWS: turned into API
// Gateway events, through the Lambda adapter, and back, with the gateway's
// quirks (stage prefix, renamed WWW-Authenticate) kept — see package
// emulate.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/internal/emulate"
	"github.com/formgate/formgate/lambdaproxy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	gateway := flag.String("gateway", "", `emulate an API Gateway in front of the Lambda adapter: "rest" (REST API, payload v1) or "http" (HTTP API, payload v2)`)
	stage := flag.String("stage", "dev", "REST API stage, the first path segment with -gateway rest")
	remap := flag.Bool("remap-authorization", false, "with -gateway rest: hand Authorization to the function as x-amzn-Remapped-Authorization, as API Gateway is reported to do behind CloudFront")
	flag.Parse()
	if err := run(*addr, *gateway, *stage, *remap); err != nil {
		fmt.Fprintln(os.Stderr, "formgate:", err)
		os.Exit(1)
	}
}

// routes are the function's routes as serverless.yml declares them: the
// report and everything below it (the gate's own routes).
var routes = []string{"ANY /report", "ANY /report/{proxy+}"}

func run(addr, gateway, stage string, remap bool) error {
	env := map[string]string{}
	getenv := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return env[k]
	}
	var notes []string
	generated := ""
	list := getenv("AUTH_USERS") != "" || getenv("AUTH_USERS_FILE") != ""
	if getenv("AUTH_USERNAME") == "" && !list {
		env["AUTH_USERNAME"] = "admin"
	}
	if getenv("AUTH_PASSWORD") == "" && getenv("AUTH_PASSWORD_HASH") == "" && !list {
		generated = randomString(12)
		env["AUTH_PASSWORD"] = generated
		notes = append(notes, "no password is set (AUTH_PASSWORD_HASH, AUTH_USERS, …): one was generated for this run")
	}
	if getenv("SESSION_SECRET") == "" {
		env["SESSION_SECRET"] = randomString(48)
		notes = append(notes, "SESSION_SECRET is not set: logins last until this server stops")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if generated == "" {
		notes = append(notes, cfg.Warnings...)
	}
	if cfg.Table != nil {
		// Development only: the Lambda function never creates tables.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := cfg.Table.Create(ctx)
		cancel()
		if err != nil {
			return fmt.Errorf("FORMGATE_TABLE=%q: creating the table: %w", cfg.Table.Name, err)
		}
		notes = append(notes, fmt.Sprintf("FORMGATE_TABLE: login limits, logouts and share links shared through table %q", cfg.Table.Name))
	}
	if cfg.Options.Revocations == nil {
		// One process: logout can end every copy of a cookie here.
		cfg.Options.Revocations = formgate.NewMemoryRevocations()
	}
	if cfg.Options.ShareLinks && cfg.Options.Shares == nil {
		// One process: a share link taken back here is taken back
		// everywhere it can be used (the Lambda function keeps no list
		// without a table: it would hold in one container only).
		cfg.Options.Shares = formgate.NewMemoryShares()
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.Table != nil {
		cfg.Table.SetLogger(log)
	}
	h, err := cfg.Handler(context.Background(), getenv, log)
	if err != nil {
		return err
	}
	prefix, what := "", "formgate"
	switch gateway {
	case "":
	case string(emulate.REST), string(emulate.HTTP):
		g := newGateway(emulate.Kind(gateway), stage, remap, lambdaproxy.New(h, log))
		h, prefix = g, g.Prefix()
		what = fmt.Sprintf("formgate behind an emulated API Gateway %s API", map[string]string{"rest": "REST", "http": "HTTP"}[gateway])
	default:
		return fmt.Errorf("-gateway %q: use rest or http", gateway)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := newServer(h)

	fmt.Printf("%s is serving http://%s%s/report\n", what, ln.Addr(), prefix)
	for _, n := range notes {
		fmt.Println("  note:", n)
	}
	switch {
	case generated != "":
		// Printed once on the terminal (not logged), so a newcomer can log
		// in straight away.
		fmt.Printf("  user name: %s\n", cfg.Users)
		fmt.Printf("  password:  %s\n", generated)
	case getenv("AUTH_PASSWORD_HASH") != "":
		fmt.Printf("  user name: %s\n", cfg.Users)
		fmt.Println("  password:  (the one hashed in AUTH_PASSWORD_HASH)")
	case getenv("AUTH_PASSWORD") != "":
		fmt.Printf("  user name: %s\n", cfg.Users)
		fmt.Println("  password:  (from AUTH_PASSWORD)")
	default:
		fmt.Printf("  users:     %s\n", cfg.Users)
	}
	fmt.Println("Press Ctrl-C to stop.")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newGateway is an emulated API Gateway of kind in front of fn, set up as
// serverless.yml deploys it.
func newGateway(kind emulate.Kind, stage string, remap bool, fn emulate.Invoker) *emulate.Gateway {
	g := emulate.New(kind, stage, fn, routes...)
	g.RemapAuthorization = remap
	if kind == emulate.REST {
		// provider.apiGateway.binaryMediaTypes: a gzip'd answer, which
		// travels base64, reaches every client as bytes.
		g.BinaryMediaTypes = []string{"*/*"}
	}
	return g
}

// randomString returns n random bytes, URL-safe base64 encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newServer is the HTTP server with timeouts and a header limit: long
// enough for a slow phone to send a login form (16 KiB at most) and fetch
// a report; short enough that slow or idle connections cannot pile up and
// shut out everyone else.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10, // cookies and a Basic header fit many times over
	}
}
