package formgate_test

import (
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
)

var secret = []byte(strings.Repeat("s", 32))

// A handler with routes of its own, protected through the public API as
// a new user would: every route under the base path works behind the gate.
func TestProtectMultiRouteApp(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page") })
	mux.HandleFunc("GET /report/data.json", func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"user":"`+id.User+`"}`)
	})
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: secret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Protect(mux))
	defer srv.Close()

	// A browser logs in at the JSON route and lands back on it.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", srv.URL+"/report/data.json", strings.NewReader(url.Values{"username": {"anna"}, "password": {"pw"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"user":"anna"}` || resp.Request.URL.Path != "/report/data.json" {
		t.Fatalf("after login: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	// The cookie opens every route under the base path.
	for path, want := range map[string]string{"/report": "page", "/report/data.json": `{"user":"anna"}`} {
		resp, err := browser.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("%s with the cookie: %d %s", path, resp.StatusCode, body)
		}
	}
	// The app's own 404 below the base path, the gate's outside it.
	for path, want := range map[string]int{"/report/nothing": 404, "/other": 404} {
		resp, _ := browser.Get(srv.URL + path)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// failing is a Checker and a Limiter whose store is down.
type failing struct{}

var errDown = errors.New("store unreachable")

func (failing) Check(context.Context, string, string) (formgate.User, bool, error) {
	return formgate.User{}, false, errDown
}
func (failing) Lookup(context.Context, string) (formgate.User, bool, error) {
	return formgate.User{}, false, errDown
}
func (failing) Spend(context.Context, string) (time.Duration, error) { return 0, errDown }
func (failing) Settle(context.Context, string, bool) error           { return errDown }

var (
	_ formgate.Checker = failing{}
	_ formgate.Limiter = failing{}
)

// A Checker or Limiter that cannot decide lets nobody in: 503, logged,
// and the wrapped handler never runs.
func TestTechnicalFailure(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the app ran"); io.WriteString(w, "secret") })
	for name, o := range map[string]formgate.Options{
		"checker": {Checker: failing{}, SessionSecret: secret},
		"limiter": {Checker: formgate.PlainPassword("anna", "pw"), Limiter: failing{}, SessionSecret: secret},
	} {
		t.Run(name, func(t *testing.T) {
			var logs strings.Builder
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			g, err := formgate.New(o)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/report", nil)
			r.SetBasicAuth("anna", "pw")
			w := httptest.NewRecorder()
			g.Protect(app).ServeHTTP(w, r)
			if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "secret") || !strings.Contains(logs.String(), "store unreachable") {
				t.Fatalf("%d %q; logs:\n%s", w.Code, w.Body, logs.String())
			}
		})
	}
}

// A Checker decides who the user is: the name it returns, not the one
// typed, is the identity (a checker may fold case, map e-mail to name).
func TestCheckerNamesTheUser(t *testing.T) {
	folding := checkerFunc(func(_ context.Context, user, pass string) (formgate.User, bool, error) {
		return formgate.User{Name: strings.ToLower(user)}, pass == "pw", nil
	})
	g, err := formgate.New(formgate.Options{Checker: folding, SessionSecret: secret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		io.WriteString(w, id.User)
	})
	r := httptest.NewRequest("GET", "/report", nil)
	r.SetBasicAuth("Anna", "pw")
	w := httptest.NewRecorder()
	g.Protect(app).ServeHTTP(w, r)
	if w.Body.String() != "anna" {
		t.Fatalf("identity %q, want the checker's name", w.Body)
	}
}

type checkerFunc func(context.Context, string, string) (formgate.User, bool, error)

func (f checkerFunc) Check(ctx context.Context, u, p string) (formgate.User, bool, error) {
	return f(ctx, u, p)
}

func (f checkerFunc) Lookup(_ context.Context, name string) (formgate.User, bool, error) {
	return formgate.User{Name: name}, true, nil
}

// A handler reached without a gate has no identity.
func TestIdentityFromWithoutGate(t *testing.T) {
	if _, ok := formgate.IdentityFrom(context.Background()); ok {
		t.Fatal("identity without a gate")
	}
	if u := formgate.LogoutURL(httptest.NewRequest("GET", "/report", nil)); u != "" {
		t.Fatalf("LogoutURL without a gate = %q", u)
	}
}

// An app's own form, posted by a browser without a session, meets the
// login form; after the login the browser lands on a page that exists
// (the base path), never on a GET of the POST-only URL (405), and what
// was typed into the app's form is not replayed.
func TestLoginAfterAppPost(t *testing.T) {
	var posts atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /app", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "home") })
	mux.HandleFunc("POST /app/items", func(w http.ResponseWriter, r *http.Request) { posts.Add(1) })
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: secret, BasePath: "/app", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Protect(mux))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	send := func(method, target string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, page := send("POST", srv.URL+"/app/items", url.Values{"title": {"t"}, "note": {"n"}})
	action := regexp.MustCompile(`<form id="login" method="post" action="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 401 || action == nil {
		t.Fatalf("the app's POST without a session: %d, want the login form with an action:\n%s", resp.StatusCode, page)
	}
	// The browser resolves the action against the page's URL.
	to, _ := resp.Request.URL.Parse(html.UnescapeString(action[1]))
	resp, page = send("POST", to.String(), url.Values{"_formgate": {"login"}, "username": {"anna"}, "password": {"pw"}})
	if resp.StatusCode != 200 || page != "home" || resp.Request.URL.Path != "/app" {
		t.Fatalf("after the login: %d at %s: %q, want the base path's page", resp.StatusCode, resp.Request.URL.Path, page)
	}
	if posts.Load() != 0 {
		t.Fatal("the app's form was replayed")
	}
	// Logged in, the app's form reaches the app.
	if resp, _ = send("POST", srv.URL+"/app/items", url.Values{"title": {"t"}}); resp.StatusCode != 200 || posts.Load() != 1 {
		t.Fatalf("the app's POST with a session: %d, %d posts", resp.StatusCode, posts.Load())
	}
}
