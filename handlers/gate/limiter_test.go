package gate

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixtureWith(t, func(o *Options) { o.Limiter = NewMemoryLimiter(3, time.Minute) })
		try := func(remote, pass string, browser bool) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", "http://127.0.0.1/report", strings.NewReader(form(testUser, pass)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if browser {
				r.Header.Set("Accept", htmlAcc)
			}
			r.RemoteAddr = remote
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			return w
		}
		for i := range 3 {
			if w := try("198.51.100.7:1111", "wrong", false); w.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, w.Code)
			}
		}
		// Out of tries: even the right password waits, else guessing would go on.
		w := try("198.51.100.7:2222", testPass, false)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "60" {
			t.Fatalf("after 3 failures: %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
		}
		if w := try("198.51.100.7:2222", testPass, true); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many failed logins") || !strings.Contains(w.Body.String(), `<form id="login"`) {
			t.Fatalf("browser: %d %s", w.Code, w.Body)
		}
		// Basic from the same address is held back too.
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.RemoteAddr = "198.51.100.7:3333"
		r.SetBasicAuth(testUser, testPass)
		rw := httptest.NewRecorder()
		f.h.ServeHTTP(rw, r)
		if rw.Code != http.StatusTooManyRequests {
			t.Fatalf("Basic while throttled: %d", rw.Code)
		}
		// Another address is not affected; a valid session is not either.
		if w := try("203.0.113.1:1", testPass, false); w.Code != 200 {
			t.Fatalf("other address: %d", w.Code)
		}
		time.Sleep(time.Minute)
		if w := try("198.51.100.7:2222", testPass, false); w.Code != 200 {
			t.Fatalf("after a minute: %d", w.Code)
		}
	})
}

func TestMemoryLimiterBound(t *testing.T) {
	m := NewMemoryLimiter(2, time.Minute)
	m.max = 100
	for i := range 1000 {
		m.Spend(context.Background(), fmt.Sprintf("client-%d", i)) // 1000 distinct addresses
	}
	if n := len(m.buckets); n > 100 {
		t.Fatalf("limiter remembers %d addresses, max 100", n)
	}
}

// Spend takes the attempt before the check, in one step: a burst of
// parallel wrong guesses from one address gets exactly the budget.
func TestLimiterParallelBurst(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Limiter = NewMemoryLimiter(10, time.Hour) })
	var wg sync.WaitGroup
	codes := make(chan int, 64)
	for range 64 {
		wg.Go(func() {
			r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
			r.RemoteAddr = "198.51.100.9:1"
			r.SetBasicAuth(testUser, "guess")
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			codes <- w.Code
		})
	}
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[http.StatusUnauthorized] != 10 || n[http.StatusTooManyRequests] != 54 {
		t.Fatalf("64 parallel guesses: %v, want 10 × 401 and 54 × 429", n)
	}
}

// Successful logins give their attempt back: a script that sends the right
// Basic credentials on every request is never held back.
func TestLimiterRefundsSuccess(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Limiter = NewMemoryLimiter(2, time.Hour) })
	for i := range 50 {
		resp := f.do(t, req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}})
		if resp.StatusCode != 200 {
			t.Fatalf("request %d with the right password: %d", i+1, resp.StatusCode)
		}
	}
}
