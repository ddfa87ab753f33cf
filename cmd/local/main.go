// Command local runs formgate as a plain HTTP server for development.
//
//	go run ./cmd/local [-addr 127.0.0.1:8080]
//
// It reads the same environment as the Lambda function. What is missing
// it makes up, so it runs with no configuration at all: the user name
// defaults to "admin", and a password and session secret are generated and
// the password printed once.
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

	"github.com/formgate/formgate/app"
	"github.com/formgate/formgate/config"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "formgate:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	env := map[string]string{}
	getenv := func(k string) string {
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return env[k]
	}
	var notes []string
	if getenv("AUTH_USERNAME") == "" {
		env["AUTH_USERNAME"] = "admin"
	}
	if getenv("AUTH_PASSWORD") == "" {
		env["AUTH_PASSWORD"] = randomString(12)
		notes = append(notes, "AUTH_PASSWORD is not set: a password was generated for this run")
	}
	if getenv("SESSION_SECRET") == "" {
		env["SESSION_SECRET"] = randomString(48)
		notes = append(notes, "SESSION_SECRET is not set: logins last until this server stops")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	h, err := app.New(cfg, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}

	fmt.Printf("formgate is serving http://%s/report\n", ln.Addr())
	for _, n := range notes {
		fmt.Println("  note:", n)
	}
	fmt.Printf("  user name: %s\n", cfg.Username)
	if _, generated := env["AUTH_PASSWORD"]; generated {
		// Printed once on the terminal (not logged), so a newcomer can log
		// in straight away.
		fmt.Printf("  password:  %s\n", cfg.Password)
	} else {
		fmt.Println("  password:  (from AUTH_PASSWORD)")
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

// randomString returns n random bytes, URL-safe base64 encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
