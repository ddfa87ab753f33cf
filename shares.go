package formgate

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Shares keeps the share links each user made, so that the report page
// can list them and a link can be taken back before it expires: the gate
// asks Live on every request that comes in by a link. Optional: without
// it (Options.Shares nil) no list is kept, and a link ends only when it
// expires, when its maker's password changes, or when SessionSecret does.
// A store shared by every instance (package dynamostore) makes a
// revocation hold in all of them; MemoryShares holds only in its process.
type Shares interface {
	// Add records user's new link id, which expires at expires, unless
	// user has max live links already: then ErrTooManyShares. The count
	// and the write are one step, so requests at once cannot pass max.
	Add(ctx context.Context, user, id string, expires time.Time, max int) error
	// Live reports whether user's link id is listed and not expired: one
	// read, on every request that comes in by a link.
	Live(ctx context.Context, user, id string) (bool, error)
	// List returns user's links that have not expired, in any order.
	List(ctx context.Context, user string) ([]Share, error)
	// Remove takes user's link id off the list: it stops working. Removing
	// a link that is not listed is no error.
	Remove(ctx context.Context, user, id string) error
}

// ErrTooManyShares is Add's answer when the user has as many live links
// as allowed.
var ErrTooManyShares = errors.New("formgate: too many live share links")

// Share is one link on a user's list.
type Share struct {
	ID      string
	Expires time.Time
}

// MemoryShares keeps the lists in this process: right for one server
// (cmd/local) and for tests; on Lambda each container would have its own
// list, so a revocation would hold in one container only.
type MemoryShares struct {
	mu    sync.Mutex
	users map[string]map[string]time.Time // user → id → expiry
}

var _ Shares = (*MemoryShares)(nil)

// NewMemoryShares returns an empty MemoryShares.
func NewMemoryShares() *MemoryShares {
	return &MemoryShares{users: map[string]map[string]time.Time{}}
}

// Add implements Shares. The user's expired links are dropped, so memory
// follows the links that still work.
func (m *MemoryShares) Add(_ context.Context, user, id string, expires time.Time, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	links := m.prune(user, time.Now())
	if len(links) >= max {
		return ErrTooManyShares
	}
	if links == nil {
		links = map[string]time.Time{}
		m.users[user] = links
	}
	links[id] = expires
	return nil
}

// Live implements Shares.
func (m *MemoryShares) Live(_ context.Context, user, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.users[user][id]
	return ok && time.Now().Before(exp), nil
}

// List implements Shares.
func (m *MemoryShares) List(_ context.Context, user string) ([]Share, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Share
	for id, exp := range m.prune(user, time.Now()) {
		out = append(out, Share{ID: id, Expires: exp})
	}
	return out, nil
}

// Remove implements Shares.
func (m *MemoryShares) Remove(_ context.Context, user, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users[user], id)
	return nil
}

// prune drops user's expired links and returns what is left (nil for
// none).
func (m *MemoryShares) prune(user string, now time.Time) map[string]time.Time {
	links := m.users[user]
	for id, exp := range links {
		if !now.Before(exp) {
			delete(links, id)
		}
	}
	if len(links) == 0 {
		delete(m.users, user)
		return nil
	}
	return links
}
