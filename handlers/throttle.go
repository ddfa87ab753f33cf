package handlers

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle limits failed logins per client address, to slow down password
// guessing. Only failures spend tokens, so a user who types the password
// right is never held back. The state lives in one process (one Lambda
// container) and is lost when it ends: it slows an attacker, it does not
// replace a strong password.
type Throttle struct {
	every time.Duration
	burst int
	max   int // addresses remembered at most; bounds memory under a flood

	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

// NewThrottle allows burst failures per address, then one per every.
func NewThrottle(burst int, every time.Duration) *Throttle {
	return &Throttle{every: every, burst: burst, max: 10000, clients: map[string]*rate.Limiter{}}
}

// Blocked reports whether addr has no failures left, and when the next
// attempt may be made.
func (t *Throttle) Blocked(addr string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.clients[addr]
	if !ok {
		return false, 0
	}
	tok := l.Tokens()
	if tok >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - tok) * float64(t.every))
}

// Failed spends one token of addr's.
func (t *Throttle) Failed(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.clients[addr]
	if !ok {
		if len(t.clients) >= t.max {
			t.forgetRested()
		}
		l = rate.NewLimiter(rate.Every(t.every), t.burst)
		t.clients[addr] = l
	}
	l.Allow()
}

// forgetRested drops addresses whose buckets are full again (they carry no
// information); if none is, it starts over rather than grow.
func (t *Throttle) forgetRested() {
	for a, l := range t.clients {
		if l.Tokens() >= float64(t.burst) {
			delete(t.clients, a)
		}
	}
	if len(t.clients) >= t.max {
		clear(t.clients)
	}
}

// clientAddr is the request's client address without the port: the front
// door's view of the client (API Gateway's sourceIp, ALB's X-Forwarded-For
// entry, the TCP peer locally).
func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
