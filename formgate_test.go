package formgate_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
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
