package formgate_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"time"

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
	// 401 Basic realm="restricted", charset="UTF-8"
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

// With ShareLinks, a page at BasePath offers a form that makes a link
// (SharingFor); whoever opens the link reads that page without a
// password, as ViaShare with the maker's name.
func ExampleSharingFor() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		fmt.Fprintf(w, "%s (%s)", id.User, id.Via)
		if s, ok := formgate.SharingFor(r); ok {
			fmt.Fprintf(w, ` <form method="post" action="%s">`, s.MakeURL)
			for _, d := range s.Lifetimes {
				fmt.Fprintf(w, `<button name="ttl" value="%s">%s</button>`, d, d)
			}
			fmt.Fprint(w, `</form>`)
		}
	})
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		ShareLinks:    true,
		ShareMaxTTL:   24 * time.Hour,
		Logger:        slog.New(slog.DiscardHandler),
	})
	srv := httptest.NewServer(g.Protect(app))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/app", nil)
	req.SetBasicAuth("anna", "correct horse")
	resp, _ := http.DefaultClient.Do(req)
	page, _ := io.ReadAll(resp.Body)
	fmt.Println(string(page))

	// A script makes a link for a day; a client without credentials (but
	// with a cookie jar) opens it.
	req, _ = http.NewRequest("POST", srv.URL+"/app/_formgate/share", strings.NewReader("ttl=24h"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("anna", "correct horse")
	resp, _ = http.DefaultClient.Do(req)
	link, _ := io.ReadAll(resp.Body)
	jar, _ := cookiejar.New(nil)
	resp, _ = (&http.Client{Jar: jar}).Get(strings.TrimSpace(string(link)))
	page, _ = io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Request.URL.Path, string(page))
	// Output:
	// anna (basic) <form method="post" action="app/_formgate/share"><button name="ttl" value="1h0m0s">1h0m0s</button><button name="ttl" value="24h0m0s">24h0m0s</button></form>
	// 200 /app anna (share)
}

// Public routes go in a mux in front of the gate: /healthz answers
// anyone, /app and below need a password, and the gate answers 404 (with
// why, in its log) for what is neither.
func Example_publicMux() {
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		Logger:        slog.New(slog.DiscardHandler),
	})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "the app") })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.Handle("/", g.Protect(app))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, path := range []string{"/healthz", "/app", "/other"} {
		resp, _ := http.Get(srv.URL + path)
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("%s %d %s", path, resp.StatusCode, body)
		fmt.Println()
	}
	// Output:
	// /healthz 200 ok
	// /app 401 401 Unauthorized: authentication required. Send Basic credentials (curl -u USER:PASSWORD URL) or open this URL in a browser to log in.
	//
	// /other 404 404 page not found: outside the path this gate protects
}

// The wrapped handler learns who logged in, and how, from the request's
// context; it never sees the credentials.
func ExampleIdentityFrom() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := formgate.IdentityFrom(r.Context())
		fmt.Fprintf(w, "%v %s via %s, session %v, Authorization %q", ok, id.User, id.Via, id.HasSession(), r.Header.Get("Authorization"))
	})
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		Logger:        slog.New(slog.DiscardHandler),
	})
	r := httptest.NewRequest("GET", "/report", nil)
	r.SetBasicAuth("anna", "correct horse")
	w := httptest.NewRecorder()
	g.Protect(app).ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output: true anna via basic, session false, Authorization ""
}

// A script's token, made once with the password, opens the app for
// reading; the app sees its maker, never the token. TokensFor gives a
// page the form and the list.
func ExampleTokensFor() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		fmt.Fprintf(w, "%s (%s)", id.User, id.Via)
		if s, ok := formgate.TokensFor(r); ok {
			fmt.Fprintf(w, " make at %s, %d listed", s.MakeURL, len(s.Tokens))
		}
	})
	g, _ := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", "correct horse"),
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		BasePath:      "/app",
		Tokens:        formgate.NewMemoryTokens(), // dynamostore.Store.Tokens() on Lambda
		Logger:        slog.New(slog.DiscardHandler),
	})
	srv := httptest.NewServer(g.Protect(app))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/app/_formgate/tokens", strings.NewReader("name=ci&ttl=720h"))
	req.SetBasicAuth("anna", "correct horse")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := http.DefaultClient.Do(req)
	token, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, len(strings.TrimSpace(string(token))), strings.HasPrefix(resp.Header.Get("Location"), "/app/_formgate/tokens/"))

	req, _ = http.NewRequest("GET", srv.URL+"/app/data", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))

	req, _ = http.NewRequest("GET", srv.URL+"/app", nil)
	req.SetBasicAuth("anna", "correct horse")
	resp, _ = http.DefaultClient.Do(req)
	body, _ = io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output:
	// 201 59 true
	// 200 anna (token)
	// anna (basic) make at app/_formgate/tokens, 1 listed
}
