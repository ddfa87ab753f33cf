package formgate

import (
	"context"
	"sync"
	"time"
)

// KnownAddresses remembers the client addresses (IPv6 by their /64) each
// user logged in from successfully: a right password from one of them is
// not held back by the per-user limit (Options.UserLimiter) while someone
// guesses at that user name from elsewhere, so a script from its usual
// address keeps working through an attack. The per-address limit still
// applies to it. The gate asks Known only when the user's budget is empty,
// and writes a user's address at most once a day per instance.
type KnownAddresses interface {
	// Known reports whether user logged in successfully from addr (the
	// gate's key of a client address) and that is still remembered.
	Known(ctx context.Context, user, addr string) (bool, error)
	// Remember notes a successful login of user from addr, to be
	// remembered until until.
	Remember(ctx context.Context, user, addr string, until time.Time) error
}

// KnownFor is how long an address stays known after a successful login.
const KnownFor = 30 * 24 * time.Hour

// MemoryKnownAddresses keeps the known addresses in this process: at
// most perUser (20) for each user — a user's 21st pushes out their own
// that expires first — and at most max (10,000) in all. Only successful
// logins add one, so no flood of guesses can push a user's address out;
// and when the whole is full, room is made in the list of the user with
// the most, so that one account's many logins (from a /48's 65,536 /64s,
// say) push out only its own. On Lambda each container has its own;
// package dynamostore shares them.
type MemoryKnownAddresses struct {
	mu      sync.Mutex
	max     int
	perUser int
	n       int
	users   map[string]map[string]time.Time // user → addr → until
}

var _ KnownAddresses = (*MemoryKnownAddresses)(nil)

// NewMemoryKnownAddresses returns an empty MemoryKnownAddresses for at most
// 10,000 user and address pairs (about 1 MB), 20 a user.
func NewMemoryKnownAddresses() *MemoryKnownAddresses {
	return &MemoryKnownAddresses{max: 10000, perUser: 20, users: map[string]map[string]time.Time{}}
}

// Known implements KnownAddresses.
func (m *MemoryKnownAddresses) Known(_ context.Context, user, addr string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.users[user][addr]
	return ok && time.Now().Before(until), nil
}

// Remember implements KnownAddresses.
func (m *MemoryKnownAddresses) Remember(_ context.Context, user, addr string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	addrs := m.users[user]
	if _, ok := addrs[addr]; !ok {
		switch {
		case len(addrs) >= m.perUser:
			m.dropFirst(user) // this user's own
		case m.n >= m.max:
			m.dropFirst(m.largest())
		}
		if addrs = m.users[user]; addrs == nil {
			addrs = map[string]time.Time{}
			m.users[user] = addrs
		}
		m.n++
	}
	addrs[addr] = until
	return nil
}

// largest is the user with the most addresses.
func (m *MemoryKnownAddresses) largest() string {
	most, who := 0, ""
	for u, addrs := range m.users {
		if len(addrs) > most {
			most, who = len(addrs), u
		}
	}
	return who
}

// dropFirst drops user's address that expires first.
func (m *MemoryKnownAddresses) dropFirst(user string) {
	addrs := m.users[user]
	first, firstUntil := "", time.Time{}
	for a, until := range addrs {
		if firstUntil.IsZero() || until.Before(firstUntil) {
			first, firstUntil = a, until
		}
	}
	if _, ok := addrs[first]; ok {
		delete(addrs, first)
		m.n--
	}
	if len(addrs) == 0 {
		delete(m.users, user)
	}
}

// remembered throttles the gate's writes of known addresses: each pair at
// most once a day per instance (a script's Basic comes on every request,
// and a shared store would be written each time).
type remembered struct {
	mu   sync.Mutex
	last map[[2]string]time.Time
}

// due reports whether user's addr should be written now, and notes it.
func (r *remembered) due(user, addr string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := [2]string{user, addr}
	if t, ok := r.last[k]; ok && now.Sub(t) < 24*time.Hour {
		return false
	}
	if r.last == nil || len(r.last) >= 10000 {
		r.last = map[[2]string]time.Time{} // bounded: at worst a write again
	}
	r.last[k] = now
	return true
}
