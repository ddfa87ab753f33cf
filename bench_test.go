package formgate

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The gate's cost is the difference between a request served through it
// and the same request served by the wrapped handler alone; the
// benchmarks run side by side so their ratio is the measure.

var small = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "hello")
})

// quiet is the test fixture with a logger that drops everything, as in
// the figures before the gate logged each request itself.
func quiet(b *testing.B) fixture {
	return newFixtureWith(b, func(o *Options) { o.Logger = slog.New(slog.DiscardHandler) })
}

func benchServe(b *testing.B, h http.Handler, header map[string]string) {
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkHandlerAlone is the baseline: the wrapped handler without the gate.
func BenchmarkHandlerAlone(b *testing.B) {
	benchServe(b, small, map[string]string{"Accept": htmlAcc})
}

// BenchmarkCookieGET: the most common request, a browser with a session.
func BenchmarkCookieGET(b *testing.B) {
	f := quiet(b)
	benchServe(b, f.gate.Protect(small), map[string]string{"Accept": htmlAcc, "Cookie": "formgate=" + f.validCookie(b)})
}

// BenchmarkBasicGET: a script with Basic credentials.
func BenchmarkBasicGET(b *testing.B) {
	f := quiet(b)
	benchServe(b, f.gate.Protect(small), map[string]string{"Accept": "*/*", "Authorization": basicAuth(testUser, testPass)})
}

// BenchmarkShareGET: a request by a share link's cookie, with the list in
// memory — beside BenchmarkCookieGET, the session cookie request it
// compares with (the link is checked as fully: its tag, expiry, maker's
// credential and the list).
func BenchmarkShareGET(b *testing.B) {
	f := newFixtureWith(b, func(o *Options) {
		o.Logger, o.ShareLinks, o.Shares = slog.New(slog.DiscardHandler), true, NewMemoryShares()
	})
	l, err := f.gate.links.New(testUser, CredentialStamp(testUser, testPass), time.Now().Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	f.gate.o.Shares.Add(context.Background(), l.User, l.ID, l.Expires, maxLiveLinks)
	benchServe(b, f.gate.Protect(small), map[string]string{"Accept": htmlAcc, "Cookie": shareCookieName + "=" + f.gate.links.Encode(l)})
}

// BenchmarkCookieGETShareLinksOn: a session cookie request with share
// links on, for what they add to every request (a look for the made-link
// cookie).
func BenchmarkCookieGETShareLinksOn(b *testing.B) {
	f := newFixtureWith(b, func(o *Options) {
		o.Logger, o.ShareLinks, o.Shares = slog.New(slog.DiscardHandler), true, NewMemoryShares()
	})
	benchServe(b, f.gate.Protect(small), map[string]string{"Accept": htmlAcc, "Cookie": "formgate=" + f.validCookie(b)})
}
