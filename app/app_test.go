package app

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/handlers"
)

func testConfig() config.Config {
	return config.Config{Username: "anna", Password: "pw", SessionSecret: bytes.Repeat([]byte("x"), 32), SessionTTL: time.Hour, Realm: "report"}
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
	h, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := get(t, h, "/report")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<th scope=\"row\">Support, EU</th>") || !strings.Contains(w.Body.String(), "<h1 id=\"report-title\">tickets</h1>") {
		t.Fatalf("%d\n%s", w.Code, w.Body)
	}
	w = get(t, h, "/report?format=csv")
	if w.Header().Get("Content-Disposition") != `attachment; filename="tickets.csv"` {
		t.Fatalf("Content-Disposition %q", w.Header().Get("Content-Disposition"))
	}
}

func TestReportCSVErrors(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/missing.csv": "REPORT_CSV: open testdata/missing.csv: no such file",
		"testdata/ragged.csv":  "REPORT_CSV testdata/ragged.csv: report CSV: record on line 2: wrong number of fields",
	} {
		cfg := testConfig()
		cfg.ReportCSV = file
		if _, err := New(cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", file, err, want)
		}
	}
	cfg := testConfig()
	cfg.SessionSecret = []byte("short")
	if _, err := New(cfg, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "SESSION_SECRET") {
		t.Errorf("short secret: err = %v", err)
	}
}

func TestOwnReportHandler(t *testing.T) {
	own := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := handlers.IdentityFrom(r.Context())
		io.WriteString(w, "dashboard for "+id.User)
	})
	h, err := NewWithReport(testConfig(), own, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if w := get(t, h, "/report"); w.Body.String() != "dashboard for anna" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %q %v", w.Code, w.Body, w.Header())
	}
	r := httptest.NewRequest("GET", "/report", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 401 || strings.Contains(w.Body.String(), "dashboard") {
		t.Fatalf("own report reachable without credentials: %d", w.Code)
	}
}

func TestDownloadName(t *testing.T) {
	for in, want := range map[string]string{
		"/var/task/sales 2026.csv": "sales_2026.csv",
		`a/"quoted".csv`:           "_quoted_.csv",
		"/":                        "report.csv",
		"q3.csv":                   "q3.csv",
	} {
		if got := downloadName(in); got != want {
			t.Errorf("downloadName(%q) = %q, want %q", in, got, want)
		}
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
		cfg.BrowserLogin, cfg.ChallengeHeader = config.LoginPrompt, "X-WWW-Authenticate"
		h, err := New(cfg, quiet)
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
		h, _ := New(old, quiet)
		r := httptest.NewRequest("POST", "/report", strings.NewReader("username=anna&password=pw"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		cookies := w.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("login: %d %v", w.Code, w.Header())
		}
		rotated := testConfig()
		rotated.SessionSecret, rotated.PreviousSessionSecret = bytes.Repeat([]byte("n"), 32), old.SessionSecret
		h, err := New(rotated, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if w := browser(h, func(r *http.Request) { r.AddCookie(cookies[0]) }); w.Code != 200 || !strings.Contains(w.Body.String(), `<main id="report">`) {
			t.Fatalf("cookie from before the rotation: %d", w.Code)
		}
	})

	t.Run("failed logins throttled", func(t *testing.T) {
		h, _ := New(testConfig(), quiet)
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
