package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		f.gate.Throttle = NewThrottle(3, time.Minute)
		try := func(remote, pass string, browser bool) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", "http://127.0.0.1/report", strings.NewReader(form(testUser, pass)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if browser {
				r.Header.Set("Accept", htmlAcc)
			}
			r.RemoteAddr = remote
			w := httptest.NewRecorder()
			f.gate.ServeHTTP(w, r)
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
		f.gate.ServeHTTP(rw, r)
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

func TestThrottleMemoryBound(t *testing.T) {
	th := NewThrottle(2, time.Minute)
	th.max = 100
	for i := range 1000 {
		th.Failed(fmt.Sprintf("client-%d", i)) // 1000 distinct addresses
	}
	if n := len(th.clients); n > 100 {
		t.Fatalf("throttle remembers %d addresses, max 100", n)
	}
}
