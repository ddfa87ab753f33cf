// Command library shows formgate used as a Go library: an application of
// its own, with two routes, behind the gate, and a public one in front.
//
//	/app/           an HTML page that greets the logged-in user and offers share links
//	/app/data.json  JSON
//	/healthz        public, in front of the gate
//
// Locally, directly or behind an emulated API Gateway REST API stage
// (package localgateway; http://127.0.0.1:8081/dev/app/):
//
//	AUTH_USERNAME=anna AUTH_PASSWORD=secret SESSION_SECRET=$(openssl rand -base64 48) \
//	  go run ./examples/library -addr 127.0.0.1:8081 [-gateway rest|http]
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
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/lambdaproxy"
	"github.com/formgate/formgate/localgateway"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	gateway := flag.String("gateway", "", `serve behind an emulated API Gateway: "rest" (REST API, stage dev) or "http" (HTTP API, $default stage)`)
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
	prefix := ""
	switch *gateway {
	case "":
	case "rest", "http":
		// As serverless.yml beside this file deploys it.
		stage := map[string]string{"rest": "dev", "http": "$default"}[*gateway]
		gw := localgateway.Handler(localgateway.Kind(*gateway), stage, h, "ANY /app", "ANY /app/{proxy+}", "GET /healthz")
		h, prefix = gw, gw.Prefix()
	default:
		log.Error("-gateway: use rest or http", "gateway", *gateway)
		os.Exit(2)
	}
	if err := serve(*addr, prefix, h); err != nil {
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
	for _, w := range cfg.Warnings {
		log.Warn(w) // a password in plain text, say
	}
	o := cfg.Options
	o.BasePath = "/app"
	o.Logger = log
	o.LoginTitle = "Library example"
	if o.ShareLinks && o.Shares == nil {
		// A link opens every page under /app for reading (ShareSubtree);
		// with no table, the list of links lives in this process.
		o.Shares = formgate.NewMemoryShares()
	}
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
		var share *formgate.Sharing // nil: this caller may not make links
		if s, ok := formgate.SharingFor(r); ok {
			share = &s
		}
		page.Execute(w, struct {
			User, LogoutURL string
			Share           *formgate.Sharing
		}{id.User, formgate.LogoutURL(r), share})
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
	// /app itself (where the gate sends a browser after logout) is sent
	// on to /app/ by ServeMux's own redirect: an absolute Location, which
	// lambdaproxy puts the stage in front of.
	return mux
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>App</title></head>
<body><main id="app">
<h1>Hello, {{.User}}</h1>
<p><a href="data.json">data.json</a></p>
{{with .Share}}<form method="post" action="{{.MakeURL}}"><button name="ttl" value="{{index .Lifetimes 0}}">Share for an hour</button></form>
{{with .New}}<p>Anyone with this link can read these pages until {{.Expires.UTC.Format "15:04 UTC"}}: <input id="share-link" readonly value="{{.URL}}"></p>{{end}}{{end}}
{{if .LogoutURL}}<form method="post" action="{{.LogoutURL}}"><button type="submit">Log out</button></form>{{end}}
</main></body></html>
`))

// serve runs a plain HTTP server until SIGINT or SIGTERM.
func serve(addr, prefix string, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("serving http://%s%s/app/\n", ln.Addr(), prefix)
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
