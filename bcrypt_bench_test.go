package formgate_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/htpasswd"
)

// Scripts send Basic on every request. With a bcrypt user (cost 10, ~57 ms
// a check) the gate would cost a hash check each time; htpasswd remembers
// verified credentials, so repeated Basic costs about what a cookie GET
// does. The two benchmarks run side by side: their ratio is the measure.

func benchGate(b *testing.B) (http.Handler, *http.Cookie) {
	users, err := htpasswd.ParseFile("htpasswd/testdata/users.htpasswd")
	if err != nil {
		b.Fatal(err)
	}
	g, err := formgate.New(formgate.Options{Checker: users, SessionSecret: secret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "report") }))
	r := httptest.NewRequest("POST", "http://127.0.0.1/report", strings.NewReader(url.Values{"username": {"anna"}, "password": {"correct horse"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return h, w.Result().Cookies()[0]
}

func serveBench(b *testing.B, h http.Handler, prepare func(*http.Request)) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		prepare(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkCookieGETBcryptUser: a browser with a session (the baseline).
func BenchmarkCookieGETBcryptUser(b *testing.B) {
	h, c := benchGate(b)
	serveBench(b, h, func(r *http.Request) { r.AddCookie(c) })
}

// BenchmarkRepeatedBasicBcryptUser: a script's Basic, again and again.
func BenchmarkRepeatedBasicBcryptUser(b *testing.B) {
	h, _ := benchGate(b)
	serveBench(b, h, func(r *http.Request) { r.SetBasicAuth("anna", "correct horse") })
}
