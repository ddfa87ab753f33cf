package config

import (
	"bytes"
	"context"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
)

func testConfig() Config {
	return Config{Users: "anna", Options: formgate.Options{
		Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: bytes.Repeat([]byte("x"), 32), SessionTTL: time.Hour,
	}}
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	r.SetBasicAuth("anna", "pw")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestReportCSVFromFile(t *testing.T) {
	cfg := testConfig()
	cfg.ReportCSV = "testdata/tickets.csv"
	h, err := cfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, h, "/report")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<th scope=\"row\">Support, EU</th>") || !strings.Contains(w.Body.String(), "<h1 id=\"report-title\">tickets</h1>") {
		t.Fatalf("%d\n%s", w.Code, w.Body)
	}
	w = get(t, h, "/report?format=csv")
	if w.Header().Get("Content-Disposition") != `attachment; filename=tickets.csv` {
		t.Fatalf("Content-Disposition %q", w.Header().Get("Content-Disposition"))
	}
}

func TestReportCSVErrors(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/missing.csv": "REPORT_CSV: testdata/missing.csv: no such file",
		"testdata/ragged.csv":  "ragged.csv: report CSV: record on line 2: wrong number of fields",
	} {
		cfg := testConfig()
		cfg.ReportCSV = file
		if _, err := cfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", file, err, want)
		}
	}
	cfg := testConfig()
	cfg.Options.SessionSecret = []byte("short")
	if _, err := cfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "Options.SessionSecret is 5 bytes") {
		t.Errorf("short secret: err = %v", err)
	}
}

// The routes around the report: / and /report/ lead to it, logout is the
// gate's, anything else is not found.
func TestRoutes(t *testing.T) {
	h, err := testConfig().Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, target string
		status         int
		location       string
	}{
		{"GET", "/", 303, "report"},
		{"GET", "/report/", 303, "../report"},
		{"GET", "/report", 200, ""},
		{"POST", "/report", 200, ""},
		{"POST", "/report/_formgate/logout", 303, "../../report"},
		{"GET", "/report/other", 404, ""},
		{"GET", "/elsewhere", 404, ""},
	} {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		r.SetBasicAuth("anna", "pw")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status || w.Header().Get("Location") != tt.location {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.target, w.Code, w.Header().Get("Location"), tt.status, tt.location)
		}
	}
}

// A CSV of the operator's keeps its name: the title is the file's own
// name, the download carries it in UTF-8 with an ASCII stand-in.
func TestReportName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Verkäufe 2026.csv")
	if err := os.WriteFile(path, []byte("Region,Orders\nNord,12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.ReportCSV = path
	h, err := cfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if w := get(t, h, "/report"); !strings.Contains(w.Body.String(), `<h1 id="report-title">Verkäufe 2026</h1>`) {
		t.Errorf("title: %s", w.Body)
	}
	w := get(t, h, "/report?format=csv")
	want := `attachment; filename="Verk_ufe 2026.csv"; filename*=UTF-8''Verk%C3%A4ufe%202026.csv`
	if cd := w.Header().Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
	if _, params, err := mime.ParseMediaType(w.Header().Get("Content-Disposition")); err != nil || params["filename"] != "Verkäufe 2026.csv" {
		t.Errorf("a client reads the name as %q (%v)", params["filename"], err)
	}
}

// The settings a user turns on in the environment must reach the gate.
func TestConfigReachesGate(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	browser := func(h http.Handler, mod func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/report", nil)
		r.Header.Set("Accept", "text/html")
		if mod != nil {
			mod(r)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	t.Run("prompt mode and challenge header", func(t *testing.T) {
		cfg := testConfig()
		cfg.Options.PromptBrowsers, cfg.Options.ChallengeHeader = true, "X-WWW-Authenticate"
		h, err := cfg.Handler(context.Background(), os.Getenv, quiet)
		if err != nil {
			t.Fatal(err)
		}
		w := browser(h, nil)
		if w.Code != 401 || w.Header().Get("X-WWW-Authenticate") == "" || w.Header().Get("WWW-Authenticate") != "" {
			t.Fatalf("%d %v", w.Code, w.Header())
		}
	})

	t.Run("session secret rotation", func(t *testing.T) {
		old := testConfig()
		h, _ := old.Handler(context.Background(), os.Getenv, quiet)
		r := httptest.NewRequest("POST", "/report", strings.NewReader("username=anna&password=pw"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		cookies := w.Result().Cookies() // the session, then the device
		if len(cookies) != 2 || cookies[0].Name != "formgate" {
			t.Fatalf("login: %d %v", w.Code, w.Header())
		}
		rotated := testConfig()
		rotated.Options.SessionSecret, rotated.Options.PreviousSessionSecret = bytes.Repeat([]byte("n"), 32), old.Options.SessionSecret
		h, err := rotated.Handler(context.Background(), os.Getenv, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if w := browser(h, func(r *http.Request) { r.AddCookie(cookies[0]) }); w.Code != 200 || !strings.Contains(w.Body.String(), `<main id="report">`) {
			t.Fatalf("cookie from before the rotation: %d", w.Code)
		}
	})

	t.Run("failed logins throttled", func(t *testing.T) {
		h, _ := testConfig().Handler(context.Background(), os.Getenv, quiet)
		var last int
		for range 11 {
			r := httptest.NewRequest("GET", "/report", nil)
			r.SetBasicAuth("anna", "guess")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			last = w.Code
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("11th failed login: %d, want 429", last)
		}
	})
}
