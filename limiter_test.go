package formgate

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

// Under a flood of new keys the table stays bounded and a blocked key
// stays blocked: it is never forgotten to make room.
func TestMemoryLimiterFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := newMemory(3, time.Minute, 100)
		fail := func(m *MemoryLimiter, key string) time.Duration {
			wait, _ := m.Spend(ctx, key)
			if wait == 0 {
				m.Settle(ctx, key, true)
			}
			return wait
		}
		for range 3 {
			fail(m, "attacker")
		}
		if fail(m, "attacker") <= 0 {
			t.Fatal("attacker not blocked after its budget")
		}
		for i := range 20000 {
			fail(m, fmt.Sprintf("client-%d", i)) // 20,000 one-off failures
		}
		if n := len(m.keys); n > 100 || m.open.Len()+m.blocked.Len() != n {
			t.Fatalf("limiter remembers %d keys (list %d), max 100", n, m.open.Len()+m.blocked.Len())
		}
		if fail(m, "attacker") <= 0 {
			t.Fatal("a flood of other keys gave the blocked key fresh attempts")
		}
		// Blocked keys filling the table: new keys share the overflow
		// bucket, and the blocked ones stay.
		full := newMemory(1, time.Hour, 10)
		for i := range 10 {
			fail(full, fmt.Sprintf("blocked-%d", i))
		}
		if fail(full, "new-1") != 0 {
			t.Fatal("the overflow bucket should allow its first attempt")
		}
		if fail(full, "new-2") <= 0 {
			t.Fatal("new keys must share the overflow bucket while the table is all blocked")
		}
		for i := range 10 {
			if fail(full, fmt.Sprintf("blocked-%d", i)) <= 0 {
				t.Fatalf("blocked-%d forgotten", i)
			}
		}
		// Time heals: an hour later the blocked keys may make room again.
		time.Sleep(time.Hour)
		if fail(full, "new-3") != 0 {
			t.Fatal("after an hour a new key should get its own bucket")
		}
	})
}

// IPv6 clients are one client per /64; IPv4 per address.
func TestClientKey(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"[2001:db8:1:2:aaaa::1]:1", "[2001:db8:1:2:bbbb::2]:2"},
		{"192.0.2.7:1", "[::ffff:192.0.2.7]:2"},
	} {
		ra, rb := httptest.NewRequest("GET", "/", nil), httptest.NewRequest("GET", "/", nil)
		ra.RemoteAddr, rb.RemoteAddr = tt.a, tt.b
		if clientKey(ra) != clientKey(rb) {
			t.Errorf("%s and %s: %q != %q", tt.a, tt.b, clientKey(ra), clientKey(rb))
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"[2001:db8:1:2::1]:1", "[2001:db8:1:3::1]:1"},
		{"192.0.2.7:1", "192.0.2.8:1"},
	} {
		ra, rb := httptest.NewRequest("GET", "/", nil), httptest.NewRequest("GET", "/", nil)
		ra.RemoteAddr, rb.RemoteAddr = tt.a, tt.b
		if clientKey(ra) == clientKey(rb) {
			t.Errorf("%s and %s share %q", tt.a, tt.b, clientKey(ra))
		}
	}
}

// One /64 is one client: its addresses share the budget.
func TestLimiterIPv6Prefix(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Limiter = NewMemoryLimiter(3, time.Hour) })
	for i := range 4 {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.RemoteAddr = fmt.Sprintf("[2001:db8:0:7::%x]:1", i+1)
		r.SetBasicAuth(testUser, "guess")
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if want := map[bool]int{true: 429, false: 401}[i == 3]; w.Code != want {
			t.Fatalf("guess %d from another address of the /64: %d, want %d", i+1, w.Code, want)
		}
	}
}

// Guessing one user's password from many addresses is held back too; a
// session of that user is not.
func TestUserLimiter(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.UserLimiter = NewMemoryLimiter(5, time.Hour) })
	guess := func(addr, pass string) int {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.RemoteAddr = addr
		r.SetBasicAuth(testUser, pass)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 5 {
		if c := guess(fmt.Sprintf("198.51.100.%d:1", i), "guess"); c != 401 {
			t.Fatalf("guess %d: %d", i+1, c)
		}
	}
	if c := guess("203.0.113.9:1", "guess"); c != 429 {
		t.Fatalf("6th guess at the user from a fresh address: %d, want 429", c)
	}
	if c := guess("203.0.113.9:1", testPass); c != 429 {
		t.Fatalf("the right password while the user's budget is empty: %d, want 429", c)
	}
	resp := f.do(t, req{header: map[string]string{"Cookie": "formgate=" + f.validCookie(t)}})
	if resp.StatusCode != 200 {
		t.Fatalf("a session of the user: %d, want 200", resp.StatusCode)
	}
	// Another user is not affected.
	r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
	r.SetBasicAuth("someone-else", "x")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Fatalf("another user name: %d, want 401", w.Code)
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

// Many right logins at once from one client are never refused: an
// attempt that finds the budget taken by attempts still being checked
// waits for them. Wrong ones still get exactly the budget.
func TestLimiterParallelRightLogins(t *testing.T) {
	slow := checkerFunc(func(user, pass string) bool {
		time.Sleep(20 * time.Millisecond) // a hash check
		return pass == testPass
	})
	f := newFixtureWith(t, func(o *Options) {
		o.Checker = slow
		o.Limiter = NewMemoryLimiter(3, time.Hour)
	})
	codes := make(chan int, 64)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
			r.RemoteAddr = "198.51.100.10:1"
			r.SetBasicAuth(testUser, testPass)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			codes <- w.Code
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Fatalf("a right login among 64 at once: %d", c)
		}
	}
}

// checkerFunc is a Checker for tests: ok decides, the user is who was typed.
type checkerFunc func(user, pass string) bool

func (f checkerFunc) Check(_ context.Context, user, pass string) (User, bool, error) {
	if !f(user, pass) {
		return User{}, false, nil
	}
	return User{Name: user}, true, nil
}

func (f checkerFunc) Lookup(_ context.Context, name string) (User, bool, error) {
	return User{Name: name}, true, nil
}

// Blocked keys anywhere in the table do not force new keys into the
// overflow bucket while any open key can make room.
func TestMemoryLimiterEvictsOpenKeysAnywhere(t *testing.T) {
	ctx := context.Background()
	m := newMemory(1, time.Hour, 100)
	fail := func(key string) time.Duration {
		wait, _ := m.Spend(ctx, key)
		if wait == 0 {
			m.Settle(ctx, key, true)
		}
		return wait
	}
	for i := range 90 {
		fail(fmt.Sprintf("blocked-%d", i))
	}
	for i := range 10 {
		m.Spend(ctx, fmt.Sprintf("open-%d", i))
		m.Settle(ctx, fmt.Sprintf("open-%d", i), false) // a right login: still open
	}
	for i := range 50 { // every new key gets a bucket of its own
		key := fmt.Sprintf("new-%d", i)
		if wait, _ := m.Spend(ctx, key); wait != 0 || m.inOverflow[key] != 0 {
			t.Fatalf("new key %d put in the overflow bucket with %d open keys about", i, m.open.Len())
		}
		m.Settle(ctx, key, false)
	}
	if m.blocked.Len() < 90 {
		t.Fatalf("%d blocked keys left of 90", m.blocked.Len())
	}
}

// An attempt charged to the overflow bucket settles there, even if its
// key has a bucket of its own by then; a waiting Spend ends after
// maxPendingWait, also under a fake clock.
func TestMemoryLimiterOverflowSettles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		m := newMemory(1, 200*time.Millisecond, 1)
		m.Spend(ctx, "a")
		m.Settle(ctx, "a", true) // a is blocked and fills the table
		m.Spend(ctx, "b")        // charged to the overflow bucket
		time.Sleep(250 * time.Millisecond)
		m.Spend(ctx, "b") // a unblocked: b gets a bucket of its own
		m.Settle(ctx, "b", true)
		m.Settle(ctx, "b", true)
		if m.overflow.pending != 0 {
			t.Fatalf("overflow has %d attempts pending after both settled", m.overflow.pending)
		}
		// A Spend that waits for an attempt that never settles gives up.
		w := newMemory(1, time.Hour, 10)
		w.Spend(ctx, "c") // never settled
		start := time.Now()
		if wait, _ := w.Spend(ctx, "c"); wait <= 0 || time.Since(start) != maxPendingWait {
			t.Fatalf("waited %v for %v", time.Since(start), wait)
		}
	})
}

// Without a client address the address limit is not one budget shared by
// everyone: only the per-user limit applies, and the log says so once.
func TestNoClientAddress(t *testing.T) {
	f := newFixture(t)
	try := func(user, pass string) int {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.RemoteAddr = ""
		r.SetBasicAuth(user, pass)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 15 {
		if c := try("mallory", "guess"); c != 401 {
			t.Fatalf("guess %d: %d", i+1, c)
		}
	}
	if c := try(testUser, testPass); c != 200 {
		t.Fatalf("another user after 15 failures from nowhere: %d", c)
	}
	if n := strings.Count(f.logs.String(), "without a client address"); n != 1 {
		t.Fatalf("%d warnings, want 1", n)
	}
}
