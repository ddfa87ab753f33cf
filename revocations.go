package formgate

import (
	"context"
	"sync"
	"time"
)

// Revocations remembers sessions ended before their time — logout, and
// "log out everywhere" — so that a copy of the cookie stops working too;
// in every instance, when the store is shared (package dynamostore).
// Optional: without it, logout clears the cookie in that browser only.
type Revocations interface {
	// Revoked reports whether the session id of user, issued at issued,
	// was ended: that one, or all the user's sessions up to a time. The
	// gate asks on every request with a session cookie: one read.
	Revoked(ctx context.Context, user, id string, issued time.Time) (bool, error)
	// Revoke ends one session. The store may forget it after until, when
	// the session would have expired anyway.
	Revoke(ctx context.Context, user, id string, until time.Time) error
	// RevokeAll ends every session of user issued before now.
	RevokeAll(ctx context.Context, user string, now, until time.Time) error
}

// MemoryRevocations keeps revocations in this process: right for one
// server (cmd/local), and per container on Lambda.
type MemoryRevocations struct {
	mu     sync.Mutex
	users  map[string]*revoked
	pruned time.Time // last sweep of what has expired
}

type revoked struct {
	before time.Time            // sessions issued before this are ended
	ids    map[string]time.Time // id → until
	until  time.Time            // when all of it may be forgotten
}

var _ Revocations = (*MemoryRevocations)(nil)

// NewMemoryRevocations returns an empty MemoryRevocations.
func NewMemoryRevocations() *MemoryRevocations {
	return &MemoryRevocations{users: map[string]*revoked{}}
}

// Revoked implements Revocations.
func (m *MemoryRevocations) Revoked(_ context.Context, user, id string, issued time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.users[user]
	if !ok {
		return false, nil
	}
	_, gone := r.ids[id]
	return gone || issued.Before(r.before), nil
}

// Revoke implements Revocations.
func (m *MemoryRevocations) Revoke(_ context.Context, user, id string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.user(user, until)
	r.ids[id] = until
	return nil
}

// RevokeAll implements Revocations.
func (m *MemoryRevocations) RevokeAll(_ context.Context, user string, now, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.user(user, until).before = now
	return nil
}

// user is user's record, made if need be. What has expired is swept out
// at most once a minute (not on every logout, which would hold the lock
// every cookie request needs for a walk over everything), so memory
// follows the logouts of one session lifetime.
func (m *MemoryRevocations) user(name string, until time.Time) *revoked {
	now := time.Now()
	if now.Sub(m.pruned) >= time.Minute {
		m.pruned = now
		m.sweep(now)
	}
	r, ok := m.users[name]
	if !ok {
		r = &revoked{ids: map[string]time.Time{}}
		m.users[name] = r
	}
	if until.After(r.until) {
		r.until = until
	}
	return r
}

func (m *MemoryRevocations) sweep(now time.Time) {
	for n, r := range m.users {
		if now.After(r.until) {
			delete(m.users, n)
			continue
		}
		for id, u := range r.ids {
			if now.After(u) {
				delete(r.ids, id)
			}
		}
	}
}
