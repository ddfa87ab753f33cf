package formgate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// attackFixture is a gate whose per-user budget is 3 failures an hour and
// per-address budget large, so that three guesses from three addresses
// empty the user's budget, as an attack from many addresses would.
func attackFixture(t *testing.T, mod func(*Options)) fixture {
	return newFixtureWith(t, func(o *Options) {
		o.UserLimiter = NewMemoryLimiter(3, time.Hour)
		o.Limiter = NewMemoryLimiter(100, time.Minute)
		o.DeviceLimiter = NewMemoryLimiter(2, time.Hour)
		if mod != nil {
			mod(o)
		}
	})
}

// from is a request from client address addr.
func from(f fixture, t *testing.T, addr string, rq req) *http.Response {
	t.Helper()
	r := rq
	if r.header == nil {
		r.header = map[string]string{}
	}
	r.header["X-Test-Remote"] = addr
	return f.do(t, r)
}

// guessAttack spends anna's budget with wrong guesses from fresh addresses.
func guessAttack(t *testing.T, f fixture) {
	t.Helper()
	for i := range 3 {
		from(f, t, "203.0.113."+string(rune('1'+i))+":1000", req{header: map[string]string{"Authorization": basicAuth(testUser, "guess")}})
	}
	if resp := from(f, t, "203.0.113.99:1000", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}}); resp.StatusCode != 429 {
		t.Fatalf("after the attack, a fresh address with the right password: %d, want 429", resp.StatusCode)
	}
}

// A browser that logged in gets a device cookie for a year, which logout
// keeps and the wrapped handler never sees.
func TestDeviceCookie(t *testing.T) {
	f := newFixture(t)
	resp := f.do(t, req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}})
	d := cookieNamed(resp, deviceCookieName)
	if d == nil || !d.HttpOnly || d.SameSite != http.SameSiteStrictMode || d.MaxAge < 364*24*3600 || d.Path != "/report" {
		t.Fatalf("device cookie %+v", d)
	}
	sess := cookieNamed(resp, "formgate")
	resp = f.do(t, req{header: map[string]string{"Cookie": pair(sess) + "; " + pair(d)}})
	check(t, f, resp, want{status: 200, body: []string{"via=session", `cookie=""`}})
	resp = f.do(t, req{method: "POST", target: "http://127.0.0.1:8080/report/_formgate/logout", header: map[string]string{"Cookie": pair(sess) + "; " + pair(d)}})
	if cookieNamed(resp, deviceCookieName) != nil {
		t.Fatal("logout touched the device cookie")
	}
	// Logging in again renews the same device (its year starts again).
	resp = f.do(t, req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc, "Cookie": pair(d)}})
	again := cookieNamed(resp, deviceCookieName)
	first, _ := f.gate.devices.Decode(d.Value)
	renewed, err := f.gate.devices.Decode(again.Value)
	if err != nil || renewed.ID != first.ID || renewed.Issued <= first.Issued {
		t.Fatalf("device after a second login: %+v (%v), first %+v", renewed, err, first)
	}
}

// During an attack on a user name: the user's browser that logged in
// before logs in at once, so does the user's script from an address it
// logged in from; a fresh device from a fresh address waits (429).
func TestAttackSparesKnownDevicesAndAddresses(t *testing.T) {
	f := attackFixture(t, nil)
	// Before the attack: a browser logs in (device cookie) from one
	// address, a script with Basic from another.
	resp := from(f, t, "198.51.100.1:1000", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}})
	device := cookieNamed(resp, deviceCookieName)
	if device == nil {
		t.Fatal("no device cookie")
	}
	check(t, f, from(f, t, "198.51.100.2:1000", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}}), want{status: 200})

	guessAttack(t, f)

	// (a) the browser, from a new address even, with its device cookie.
	resp = from(f, t, "192.0.2.50:1000", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc, "Cookie": pair(device)}})
	check(t, f, resp, want{status: 303, cookie: "set"})
	// (b) the script from its usual address.
	check(t, f, from(f, t, "198.51.100.2:1000", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass)}}), want{status: 200, body: []string{"via=basic"}})
	// (c) a fresh device from a fresh address, right password: waits.
	check(t, f, from(f, t, "192.0.2.51:1000", req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}}), want{status: 429})
	// A device cookie is for its user only.
	r := httptest.NewRequest("GET", "/report", nil)
	jar := &cookies{sent: []*http.Cookie{device}}
	if f.gate.device(r, jar, testUser) == "" || f.gate.device(r, jar, "bob") != "" {
		t.Error("a device cookie of anna's is not hers alone")
	}
}

// A device that fails too often loses its standing: its cookie is
// cleared and its attempts wait for the user's budget, so a stolen device
// cookie buys a thief only the device's own small budget.
func TestDeviceLosesStanding(t *testing.T) {
	f := attackFixture(t, nil)
	resp := f.do(t, req{method: "POST", body: form(testUser, testPass), header: map[string]string{"Accept": htmlAcc}})
	device := cookieNamed(resp, deviceCookieName)
	guessAttack(t, f)
	for range 2 { // the device's budget
		check(t, f, from(f, t, "192.0.2.60:1000", req{header: map[string]string{"Authorization": basicAuth(testUser, "thief"), "Cookie": pair(device)}}), want{status: 401, challenge: true})
	}
	resp = from(f, t, "192.0.2.60:1000", req{header: map[string]string{"Authorization": basicAuth(testUser, testPass), "Cookie": pair(device)}})
	if c := cookieNamed(resp, deviceCookieName); resp.StatusCode != 429 || c == nil || c.MaxAge >= 0 {
		t.Fatalf("a device past its budget: %d, device cookie %+v; want 429 and the cookie cleared", resp.StatusCode, c)
	}
	if !strings.Contains(f.logs.String(), "device lost its standing") {
		t.Errorf("log:\n%s", f.logs)
	}
}

// Known addresses are remembered within their bounds: a user's own
// quota, and in all; one account's many logins push out only its own.
func TestMemoryKnownAddresses(t *testing.T) {
	m := NewMemoryKnownAddresses()
	m.max, m.perUser = 5, 2
	ctx := t.Context()
	soon, later := time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
	m.Remember(ctx, "anna", "addr:1", later)
	m.Remember(ctx, "anna", "addr:2", soon)
	m.Remember(ctx, "anna", "addr:3", later) // anna's third: her own that expires first goes
	m.Remember(ctx, "bob", "addr:4", soon)
	for i := range 10 { // carl logs in from many addresses: only his own go
		m.Remember(ctx, "carl", fmt.Sprint("addr:c", i), later.Add(time.Duration(i)*time.Second))
	}
	for _, tt := range []struct {
		user, addr string
		known      bool
	}{{"anna", "addr:1", true}, {"anna", "addr:2", false}, {"anna", "addr:3", true}, {"bob", "addr:4", true}, {"carl", "addr:c9", true}, {"carl", "addr:c8", true}, {"carl", "addr:c0", false}, {"anna", "addr:4", false}} {
		if k, _ := m.Known(ctx, tt.user, tt.addr); k != tt.known {
			t.Errorf("%s at %s: known %v", tt.user, tt.addr, k)
		}
	}
	m.Remember(ctx, "erin", "addr:6", later) // the whole is full: room is made in a largest list
	if k, _ := m.Known(ctx, "erin", "addr:6"); !k || m.n > m.max {
		t.Errorf("erin's address known %v, %d kept, at most %d", k, m.n, m.max)
	}
	m.Remember(ctx, "dave", "addr:5", time.Now().Add(-time.Second)) // expired
	if k, _ := m.Known(ctx, "dave", "addr:5"); k {
		t.Error("an expired address is known")
	}
}

// A new password ends every device's standing: devices minted with a
// password someone else knew give no guesses at the new one.
func TestDeviceEndsWithPassword(t *testing.T) {
	list := users{"anna": "old password"}
	f := attackFixture(t, func(o *Options) { o.Checker = list })
	resp := f.do(t, req{method: "POST", body: form(testUser, "old password"), header: map[string]string{"Accept": htmlAcc}})
	device := cookieNamed(resp, deviceCookieName)
	r := httptest.NewRequest("GET", "/report", nil)
	jar := &cookies{sent: []*http.Cookie{device}}
	if f.gate.device(r, jar, testUser) == "" {
		t.Fatal("the device has no standing before the change")
	}
	list["anna"] = "new password"
	if f.gate.device(r, jar, testUser) != "" {
		t.Fatal("the device kept its standing after a new password")
	}
}

// deadlineSeen is a limiter that notes whether the decision's deadline had
// run out when it was asked.
type deadlineSeen struct {
	*MemoryLimiter
	expired atomic.Bool
}

func (d *deadlineSeen) Spend(ctx context.Context, key string) (time.Duration, error) {
	if ctx.Err() != nil {
		d.expired.Store(true)
	}
	return d.MemoryLimiter.Spend(ctx, key)
}

// slowBody gives its bytes after a pause, as a client that drips them.
type slowBody struct {
	io.Reader
	pause time.Duration
	once  sync.Once
}

func (s *slowBody) Read(p []byte) (int, error) {
	s.once.Do(func() { time.Sleep(s.pause) })
	return s.Reader.Read(p)
}

// A login body sent slowly is read before the decision's clock starts: the
// limiters are asked within the deadline (a store would otherwise time out
// and fall back to a budget of this process's own).
func TestSlowLoginBodyKeepsTheDeadline(t *testing.T) {
	limiter := &deadlineSeen{MemoryLimiter: NewMemoryLimiter(10, time.Minute)}
	f := newFixtureWith(t, func(o *Options) { o.Limiter = limiter })
	if !f.gate.bounded {
		t.Fatal("a limiter of the application's own: the gate should bound its decisions")
	}
	f.gate.deadline = 500 * time.Millisecond
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080/report", &slowBody{Reader: strings.NewReader(form(testUser, "wrong")), pause: 700 * time.Millisecond})
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != 401 || limiter.expired.Load() {
		t.Fatalf("%d; the limiter asked after the deadline: %v", w.Code, limiter.expired.Load())
	}
}

// An application's large form, posted with a session through a gate whose
// decisions are bounded (its body looked at twice: before the clock and
// for the login marker), reaches the application whole.
func TestLargeAppPostWhole(t *testing.T) {
	var got int
	f := newFixtureWith(t, func(o *Options) {
		o.Limiter = &deadlineSeen{MemoryLimiter: NewMemoryLimiter(10, time.Minute)}
	})
	f.h = f.gate.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = len(r.PostForm.Get("note"))
	}))
	note := strings.Repeat("n", 100<<10)
	resp := f.do(t, req{method: "POST", body: "note=" + note, header: map[string]string{"Cookie": "formgate=" + f.validCookie(t)}})
	if resp.StatusCode != 200 || got != len(note) {
		t.Fatalf("%d; the app read %d bytes of the note, want %d", resp.StatusCode, got, len(note))
	}
}
