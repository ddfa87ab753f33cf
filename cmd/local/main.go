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
// localgateway.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/lambdaproxy"
	"github.com/formgate/formgate/localgateway"
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
	env := madeUp(os.LookupEnv)
	cfg, err := config.Load(env.getenv)
	if err != nil {
		return err
	}
	logs := newLogWriter(os.Stderr)
	defer logs.Close()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	notes, err := oneProcess(&cfg, log)
	if err != nil {
		return err
	}
	if env.password == "" {
		notes = append(cfg.Warnings, notes...)
	}
	h, err := cfg.Handler(context.Background(), env.getenv, log)
	if err != nil {
		return err
	}
	h, prefix, what, err := front(h, gateway, stage, remap, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("%s is serving http://%s%s/report\n", what, ln.Addr(), prefix)
	env.banner(os.Stdout, cfg.Users, append(env.notes, notes...))
	return serve(ln, h, log)
}

// settings are the environment with what is missing made up: a user
// name, a password (kept to be printed once) and a session secret.
type settings struct {
	lookup   func(string) (string, bool)
	made     map[string]string
	password string   // the password made up, if one was
	notes    []string // what was made up, to say at start
}

// madeUp reads the environment through lookup and makes up what is
// missing, so that the server runs with no configuration at all.
func madeUp(lookup func(string) (string, bool)) settings {
	s := settings{lookup: lookup, made: map[string]string{}}
	list := s.getenv("AUTH_USERS") != "" || s.getenv("AUTH_USERS_FILE") != ""
	if s.getenv("AUTH_USERNAME") == "" && !list {
		s.made["AUTH_USERNAME"] = "admin"
	}
	if s.getenv("AUTH_PASSWORD") == "" && s.getenv("AUTH_PASSWORD_HASH") == "" && !list {
		s.password = randomString(12)
		s.made["AUTH_PASSWORD"] = s.password
		s.notes = append(s.notes, "no password is set (AUTH_PASSWORD_HASH, AUTH_USERS, …): one was generated for this run")
	}
	if s.getenv("SESSION_SECRET") == "" {
		s.made["SESSION_SECRET"] = randomString(48)
		s.notes = append(s.notes, "SESSION_SECRET is not set: logins last until this server stops")
	}
	return s
}

func (s settings) getenv(k string) string {
	if v, ok := s.lookup(k); ok {
		return v
	}
	return s.made[k]
}

// banner says who may log in, and the notes.
func (s settings) banner(w io.Writer, users string, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(w, "  note:", n)
	}
	switch {
	case s.password != "":
		// Printed once on the terminal (not logged), so a newcomer can log
		// in straight away.
		fmt.Fprintf(w, "  user name: %s\n", users)
		fmt.Fprintf(w, "  password:  %s\n", s.password)
	case s.getenv("AUTH_PASSWORD_HASH") != "":
		fmt.Fprintf(w, "  user name: %s\n", users)
		fmt.Fprintln(w, "  password:  (the one hashed in AUTH_PASSWORD_HASH)")
	case s.getenv("AUTH_PASSWORD") != "":
		fmt.Fprintf(w, "  user name: %s\n", users)
		fmt.Fprintln(w, "  password:  (from AUTH_PASSWORD)")
	default:
		fmt.Fprintf(w, "  users:     %s\n", users)
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

// oneProcess sets cfg up for one process: the table made if missing, and
// without one, revocations, share-link lists and tokens for scripts kept
// in memory (which, unlike on Lambda, then hold everywhere the server
// answers).
func oneProcess(cfg *config.Config, log *slog.Logger) (notes []string, err error) {
	if cfg.Table != nil {
		cfg.Table.SetLogger(log)
		// Development only: the Lambda function never creates tables.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := cfg.Table.Create(ctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("FORMGATE_TABLE=%q: creating the table: %w", cfg.Table.Name, err)
		}
		notes = append(notes, fmt.Sprintf("FORMGATE_TABLE: login limits, logouts and share links shared through table %q", cfg.Table.Name))
	}
	if cfg.Options.Revocations == nil {
		cfg.Options.Revocations = formgate.NewMemoryRevocations()
	}
	if cfg.Options.ShareLinks && cfg.Options.Shares == nil {
		cfg.Options.Shares = formgate.NewMemoryShares()
	}
	if cfg.TokensOn && cfg.Options.Tokens == nil {
		cfg.Options.Tokens = formgate.NewMemoryTokens()
	}
	return notes, nil
}

// front puts an emulated API Gateway of kind gateway in front of h ("":
// none), and says what serves and under which prefix.
func front(h http.Handler, gateway, stage string, remap bool, log *slog.Logger) (_ http.Handler, prefix, what string, _ error) {
	switch gateway {
	case "":
		return h, "", "formgate", nil
	case string(localgateway.REST), string(localgateway.HTTP):
		g := newGateway(localgateway.Kind(gateway), stage, remap, lambdaproxy.New(h, log))
		return g, g.Prefix(), fmt.Sprintf("formgate behind an emulated API Gateway %s API", map[string]string{"rest": "REST", "http": "HTTP"}[gateway]), nil
	}
	return nil, "", "", fmt.Errorf("-gateway %q: use rest or http", gateway)
}

// serve serves h on ln until SIGINT or SIGTERM, then lets the requests in
// flight finish (10 s at most).
func serve(ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := newServer(h)
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
// serverless.yml deploys it: a REST API at stage, an HTTP API at $default.
func newGateway(kind localgateway.Kind, stage string, remap bool, fn localgateway.Invoker) *localgateway.Gateway {
	if kind == localgateway.HTTP {
		stage = "$default"
	}
	g := localgateway.New(kind, stage, fn, routes...)
	g.RemapAuthorization = remap
	if kind == localgateway.REST {
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
