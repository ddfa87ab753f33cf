package gate

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// A Limiter holds back clients that fail to log in too often. The gate
// keys one by client address and one by user name.
//
// Spend comes before the credentials are checked and takes one attempt in
// one step, so parallel guesses cannot all pass a check made before any
// of them was counted. Settle follows the check: a failed login keeps its
// attempt spent, a successful one gives it back, so only failures use up
// the budget and a script that sends the right Basic credentials on every
// request is never held back.
type Limiter interface {
	// Spend takes one attempt from key's budget. wait > 0 means the budget
	// is empty: nothing was taken, and the next attempt may come after
	// wait. When the budget is empty only because other attempts of key
	// are still being checked, Spend may wait for them (within ctx), so
	// that many right logins at once are not refused.
	Spend(ctx context.Context, key string) (wait time.Duration, err error)
	// Settle ends an attempt Spend took: failed keeps it spent; a
	// successful login's attempt is given back.
	Settle(ctx context.Context, key string, failed bool) error
}

// Memory is a Limiter that keeps a token bucket per key in this process:
// burst attempts, refilled at one per every. In Lambda each container has
// its own, lost when it ends: it slows an attacker, it does not replace a
// strong password.
//
// Memory is bounded: at most max keys (10,000 by default, about 1 MB).
// When a new key finds the table full, the least recently used key that
// is not blocked makes room; a blocked key is never forgotten, so no flood
// of other keys can give it fresh attempts. If the keys looked at are all
// blocked, the new key shares one overflow bucket with every other such
// key until room is made.
//
// An attempt that finds the budget empty while others of the same key are
// still being checked waits for them (a bcrypt check, tens of
// milliseconds) rather than being refused: it may be a right password.
//
// The bucket is written here rather than taken from x/time/rate:
// rate.Limiter gives a token back only through the Reservation that took
// it, Settle comes in a later call, and the attempts still being checked
// must be counted.
type Memory struct {
	burst float64
	every time.Duration
	max   int // keys remembered at most

	mu       sync.Mutex
	keys     map[string]*list.Element // of *entry
	lru      *list.List               // front: most recently used
	overflow bucket
	settled  chan struct{} // closed (and replaced) when an attempt settles
}

type entry struct {
	key string
	bucket
}

type bucket struct {
	tokens  float64
	last    time.Time
	pending int // attempts spent and not yet settled
}

// maxPendingWait bounds how long Spend waits for attempts being checked.
const maxPendingWait = 10 * time.Second

// evictScan is how many of the least recently used keys are looked at
// for one that is not blocked before the overflow bucket is used.
const evictScan = 64

var _ Limiter = (*Memory)(nil)

// NewMemoryLimiter allows burst failed logins per key, then one per every.
func NewMemoryLimiter(burst int, every time.Duration) *Memory {
	return newMemory(burst, every, 10000)
}

func newMemory(burst int, every time.Duration, max int) *Memory {
	return &Memory{burst: float64(burst), every: every, max: max, keys: map[string]*list.Element{}, lru: list.New(),
		overflow: bucket{tokens: float64(burst)}, settled: make(chan struct{})}
}

// refill brings b up to date at now.
func (m *Memory) refill(b *bucket, now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(m.burst, b.tokens+float64(now.Sub(b.last))/float64(m.every))
	}
	b.last = now
}

// spend takes a token from b, or says how long until there is one.
func (m *Memory) spend(b *bucket, now time.Time) time.Duration {
	m.refill(b, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(m.every))
	}
	b.tokens--
	b.pending++
	return 0
}

// Spend implements Limiter.
func (m *Memory) Spend(ctx context.Context, key string) (time.Duration, error) {
	deadline := time.Now().Add(maxPendingWait)
	for {
		wait, pending, settled := m.try(key)
		if wait == 0 || !pending || time.Now().After(deadline) {
			return wait, nil
		}
		// Empty while others are being checked: wait for one to settle.
		select {
		case <-settled:
		case <-ctx.Done():
			return wait, nil
		case <-time.After(time.Until(deadline)):
		}
	}
}

// try spends from key's bucket; when it cannot, pending says whether
// attempts of key are still being checked, and settled when one is.
func (m *Memory) try(key string) (wait time.Duration, pending bool, settled <-chan struct{}) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bucket(key, now)
	if wait = m.spend(b, now); wait > 0 {
		return wait, b.pending > 0, m.settled
	}
	return 0, false, nil
}

// bucket is key's bucket, made (and room made for it) if need be.
func (m *Memory) bucket(key string, now time.Time) *bucket {
	if el, ok := m.keys[key]; ok {
		m.lru.MoveToFront(el)
		return &el.Value.(*entry).bucket
	}
	if len(m.keys) >= m.max && !m.evict(now) {
		return &m.overflow
	}
	e := &entry{key: key, bucket: bucket{tokens: m.burst, last: now}}
	m.keys[key] = m.lru.PushFront(e)
	return &e.bucket
}

// evict forgets the least recently used key that is not blocked and has
// no attempt being checked, looking at evictScan keys at most; false when
// there was none.
func (m *Memory) evict(now time.Time) bool {
	el := m.lru.Back()
	for range evictScan {
		if el == nil {
			return false
		}
		e := el.Value.(*entry)
		if m.refill(&e.bucket, now); e.tokens >= 1 && e.pending == 0 {
			m.lru.Remove(el)
			delete(m.keys, e.key)
			return true
		}
		el = el.Prev()
	}
	return false
}

// Settle implements Limiter.
func (m *Memory) Settle(_ context.Context, key string, failed bool) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &m.overflow // the key was spent from the overflow bucket
	if el, ok := m.keys[key]; ok {
		b = &el.Value.(*entry).bucket
	}
	if b.pending > 0 {
		b.pending--
	}
	if !failed {
		m.refill(b, now)
		b.tokens = min(m.burst, b.tokens+1)
	}
	close(m.settled)
	m.settled = make(chan struct{})
	return nil
}
