// Command library shows formgate used as a Go library: an application of
// its own, with two routes, behind the gate.
//
//	/app/           an HTML page that greets the logged-in user
//	/app/data.json  JSON
//	/healthz        public, in front of the gate
//
// Locally:
//
//	AUTH_USERNAME=anna AUTH_PASSWORD=secret SESSION_SECRET=$(openssl rand -base64 48) \
//	  go run ./examples/library -addr 127.0.0.1:8081
//
// On Lambda (AWS_LAMBDA_RUNTIME_API is set) the same handler is served
// through package lambdaproxy; serverless.yml beside this file deploys it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/lambdaproxy"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h, err := handler(os.Getenv, log)
	if err != nil {
		log.Error("cannot start: fix the environment", "err", err)
		os.Exit(1)
	}
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		lambda.Start(lambdaproxy.New(h, log))
		return
	}
	if err := serve(*addr, h); err != nil {
		log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// handler is the whole program: the application behind the gate, with the
// gate's options read from the same variables as formgate's own programs
// (AUTH_USERNAME, AUTH_PASSWORD, SESSION_SECRET, …).
func handler(getenv func(string) string, log *slog.Logger) (http.Handler, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	o := cfg.Options
	o.BasePath = "/app"
	o.Logger = log
	// Share links open the base path alone (/app, which here only sends
	// a browser on to /app/) and this page does not offer them: off.
	o.ShareLinks, o.Shares = false, nil
	gate, err := formgate.New(o)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/", gate.Protect(app()))
	return mux, nil
}

// app is the application: it knows nothing of passwords, only who the
// gate let in.
func app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page.Execute(w, struct {
			User, LogoutURL string
		}{id.User, formgate.LogoutURL(r)})
	})
	mux.HandleFunc("GET /app/data.json", func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"user":  id.User,
			"via":   id.Via,
			"items": []string{"apples", "pears"},
		})
	})
	// /app itself (where the gate sends a browser after logout): the page
	// is /app/. The Location is relative and written by hand, because
	// http.Redirect (and ServeMux's own redirects) make it absolute, which
	// loses an API Gateway stage prefix (/dev/app) the function never sees.
	mux.HandleFunc("GET /app", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "app/")
		w.WriteHeader(http.StatusSeeOther)
	})
	return mux
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>App</title></head>
<body><main id="app">
<h1>Hello, {{.User}}</h1>
<p><a href="data.json">data.json</a></p>
{{if .LogoutURL}}<form method="post" action="{{.LogoutURL}}"><button type="submit">Log out</button></form>{{end}}
</main></body></html>
`))

// serve runs a plain HTTP server until SIGINT or SIGTERM.
func serve(addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Printf("serving http://%s/app/\n", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
