package formgate_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	formgate "github.com/formgate/formgate"
)

// Protect any handler: everything under BasePath needs a password.
func Example() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		fmt.Fprintf(w, "hello %s (%s)", id.User, id.Via)
	})
	g, err := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(g.Protect(app)) // http.ListenAndServe(addr, g.Protect(app)) in a program
	defer srv.Close()

	resp, _ := http.Get(srv.URL + "/app/data") // a script without credentials
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))

	req, _ := http.NewRequest("GET", srv.URL+"/app/data", nil)
	req.SetBasicAuth("anna", "correct horse")
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 401 Basic realm="report", charset="UTF-8"
	// 200 hello anna (basic)
}

// Browsers log in with the form; the cookie the gate sets opens the app,
// which offers a logout button through LogoutURL.
func ExampleLogoutURL() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := formgate.LogoutURL(r); u != "" {
			fmt.Fprintf(w, `<form method="post" action="%s"><button>Log out</button></form>`, u)
		}
	})
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		Logger:        slog.New(slog.DiscardHandler),
	})
	h := g.Protect(app)

	login := httptest.NewRequest("POST", "http://127.0.0.1/app/reports/q3", strings.NewReader("username=anna&password=correct+horse"))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	login.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, login)
	cookie := w.Result().Cookies()[0]
	fmt.Println(w.Code, w.Header().Get("Location"), cookie.Name, cookie.Path)

	page := httptest.NewRequest("GET", "http://127.0.0.1/app/reports/q3", nil)
	page.AddCookie(cookie)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, page)
	fmt.Println(w.Body.String())
	// Output:
	// 303 q3 formgate /app
	// <form method="post" action="../_formgate/logout"><button>Log out</button></form>
}
