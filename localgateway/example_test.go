package localgateway_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/localgateway"
)

// An application behind a REST API stage, as it would run on Lambda: its
// own redirects (ServeMux's /app → /app/, http.Redirect) keep the stage.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home") })
	mux.HandleFunc("POST /app/items", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/app/", http.StatusSeeOther) })
	srv := httptest.NewServer(localgateway.Handler(localgateway.REST, "dev", mux))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, _ := client.Get(srv.URL + "/dev/app")
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	resp, _ = client.Post(srv.URL+"/dev/app/items", "text/plain", nil)
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	resp, _ = client.Get(srv.URL + "/app/")
	fmt.Println(resp.StatusCode, "outside the stage")
	// Output:
	// 307 /dev/app/
	// 303 /dev/app/
	// 403 outside the stage
}

// The gate behind an HTTP API's named stage: a script without credentials
// gets the challenge under the name API Gateway gives it, so no browser
// would show its prompt — hence formgate's login form.
func ExampleHandler_gate() {
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		Logger:        slog.New(slog.DiscardHandler),
	})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		fmt.Fprintf(w, "hello %s at %s", id.User, r.URL.Path)
	})
	srv := httptest.NewServer(localgateway.Handler(localgateway.HTTP, "dev", g.Protect(app), "ANY /app", "ANY /app/{proxy+}"))
	defer srv.Close()

	resp, _ := http.Get(srv.URL + "/dev/app/x")
	fmt.Println(resp.StatusCode, resp.Header.Get("x-amzn-Remapped-WWW-Authenticate"))
	req, _ := http.NewRequest("GET", srv.URL+"/dev/app/x", nil)
	req.SetBasicAuth("anna", "correct horse")
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 401 Basic realm="restricted", charset="UTF-8"
	// 200 hello anna at /app/x
}
