package formgate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// With Revocations, logout ends every copy of the cookie, and "log out
// everywhere" every session of the user; without, logout clears only the
// browser's cookie.
func TestLogoutRevokes(t *testing.T) {
	f := newFixtureWith(t, func(o *Options) { o.Revocations = NewMemoryRevocations() })
	a, b := loginCookie(t, f, testUser, testPass), loginCookie(t, f, testUser, testPass)
	get := func(c *http.Cookie) int {
		return f.do(t, req{header: map[string]string{"Cookie": c.String()}}).StatusCode
	}
	if resp := f.do(t, req{header: map[string]string{"Cookie": a.String()}}); !strings.Contains(body(resp), `everywhere=true`) {
		t.Fatalf("the app is not offered log out everywhere: %s", body(resp))
	}
	check(t, f, f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": a.String()}}),
		want{status: 303, cookie: "cleared"})
	if get(a) != 401 || get(b) != 200 {
		t.Fatalf("after logout: the copy %d (want 401), the other session %d (want 200)", get(a), get(b))
	}
	check(t, f, f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout-everywhere", header: map[string]string{"Cookie": b.String()}}),
		want{status: 303, cookie: "cleared"})
	if get(b) != 401 {
		t.Fatal("a session survived log out everywhere")
	}
	if get(loginCookie(t, f, testUser, testPass)) != 200 {
		t.Fatal("a login after log out everywhere does not work")
	}

	plain := newFixture(t)
	c := loginCookie(t, plain, testUser, testPass)
	plain.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": c.String()}})
	if plain.do(t, req{header: map[string]string{"Cookie": c.String()}}).StatusCode != 200 {
		t.Fatal("without Revocations a copy of the cookie should outlive logout (documented)")
	}
	if plain.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout-everywhere", header: map[string]string{"Cookie": c.String()}}).StatusCode != 404 {
		t.Fatal("log out everywhere offered without Revocations")
	}
}

// flaky is a Revocations store that can be taken down.
type flaky struct {
	*MemoryRevocations
	down atomic.Bool
}

var errStoreDown = errors.New("store unreachable")

func (f *flaky) Revoked(ctx context.Context, user, id string, issued time.Time) (bool, error) {
	if f.down.Load() {
		return false, errStoreDown
	}
	return f.MemoryRevocations.Revoked(ctx, user, id, issued)
}

// While the store is down a cookie is refused (503: whether it was ended
// cannot be known), Basic still works, the outage is logged once, and all
// is well again when the store is back.
func TestRevocationStoreDown(t *testing.T) {
	store := &flaky{MemoryRevocations: NewMemoryRevocations()}
	f := newFixtureWith(t, func(o *Options) { o.Revocations = store })
	c := loginCookie(t, f, testUser, testPass)
	store.down.Store(true)
	for range 5 {
		resp := f.do(t, req{header: map[string]string{"Cookie": c.String()}})
		if resp.StatusCode != 503 || strings.Contains(body(resp), reportMarker) {
			t.Fatalf("cookie while the store is down: %d", resp.StatusCode)
		}
	}
	if resp := f.do(t, req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}}); resp.StatusCode != 200 {
		t.Fatalf("Basic while the store is down: %d", resp.StatusCode)
	}
	store.down.Store(false)
	if resp := f.do(t, req{header: map[string]string{"Cookie": c.String()}}); resp.StatusCode != 200 {
		t.Fatalf("cookie after the store is back: %d", resp.StatusCode)
	}
	logs := f.logs.String()
	if strings.Count(logs, "session revocation store failed") != 1 || strings.Count(logs, "session revocation store is back") != 1 || !strings.Contains(logs, "failed_requests=5") {
		t.Fatalf("want one line for the outage and one for the recovery:\n%s", logs)
	}
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// A stolen copy of a cookie already logged out cannot end the sessions
// that came after it; logout clears the browser's cookie even when the
// store is down.
func TestLogoutEverywhereNeedsALiveSession(t *testing.T) {
	store := &flaky{MemoryRevocations: NewMemoryRevocations()}
	f := newFixtureWith(t, func(o *Options) { o.Revocations = store })
	stolen := loginCookie(t, f, testUser, testPass)
	everywhere := func(c *http.Cookie) *http.Response {
		return f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout-everywhere", header: map[string]string{"Cookie": c.String()}})
	}
	if resp := everywhere(stolen); resp.StatusCode != 303 {
		t.Fatalf("log out everywhere: %d", resp.StatusCode)
	}
	fresh := loginCookie(t, f, testUser, testPass)
	if resp := everywhere(stolen); resp.StatusCode != 401 {
		t.Fatalf("log out everywhere with a logged-out copy: %d, want 401", resp.StatusCode)
	}
	if resp := f.do(t, req{header: map[string]string{"Cookie": fresh.String()}}); resp.StatusCode != 200 {
		t.Fatalf("the new session after the stale copy's attempt: %d", resp.StatusCode)
	}
	store.down.Store(true)
	check(t, f, f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": fresh.String()}}),
		want{status: 503, cookie: "cleared"})
}

// down makes every write fail too.
func (f *flaky) Revoke(ctx context.Context, user, id string, until time.Time) error {
	if f.down.Load() {
		return errStoreDown
	}
	return f.MemoryRevocations.Revoke(ctx, user, id, until)
}
