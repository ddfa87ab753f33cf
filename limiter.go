package formgate

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
// the budget, and a script that sends the right Basic credentials on
// every request spends nothing. It is held back only while a budget it
// needs is empty: its address's (someone guessing from the same address),
// or its user name's — unless it comes from an address the user logged in
// from (Options.KnownAddresses), or from a browser with a device cookie
// (Options.DeviceLimiter).
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

// MemoryLimiter is a Limiter that keeps a token bucket per key in this process:
// burst attempts, refilled at one per every. In Lambda each container has
// its own, lost when it ends: it slows an attacker, it does not replace a
// strong password.
//
// MemoryLimiter is bounded: at most max keys (10,000 by default, about 1 MB).
// Keys live on one of two lists: open (not blocked when last used, least
// recently used last) and blocked (in the order they were blocked). When a
// new key finds the table full, the least recently used open key makes
// room, wherever it is; failing that, the longest-blocked key if it has
// been unblocked since. A blocked key is never forgotten, so no flood of
// other keys can give it fresh attempts; only when every key is blocked
// (burst × max failures) do new keys share one overflow bucket.
//
// An attempt that finds the budget empty while others of the same key are
// still being checked waits for them (a bcrypt check, tens of
// milliseconds) rather than being refused: it may be a right password.
//
// The bucket is written here rather than taken from x/time/rate:
// rate.Limiter gives a token back only through the Reservation that took
// it, Settle comes in a later call, and the attempts still being checked
// must be counted.
type MemoryLimiter struct {
	burst float64
	every time.Duration
	max   int // keys remembered at most

	mu       sync.Mutex
	keys     map[string]*list.Element // of *entry, on open or blocked
	open     *list.List               // front: most recently used
	blocked  *list.List               // front: blocked longest
	overflow bucket
	// inOverflow counts, per key, attempts charged to the overflow bucket
	// and not yet settled, so that they settle there even if the key has
	// its own bucket by then.
	inOverflow map[string]int
	settled    chan struct{} // closed (and replaced) when an attempt settles
}

type entry struct {
	key string
	bucket
	isBlocked bool // on the blocked list
}

type bucket struct {
	tokens  float64
	last    time.Time
	pending int // attempts spent and not yet settled
}

// maxPendingWait bounds how long Spend waits for attempts being checked.
const maxPendingWait = 10 * time.Second

var _ Limiter = (*MemoryLimiter)(nil)

// NewMemoryLimiter allows burst failed logins per key, then one per every.
func NewMemoryLimiter(burst int, every time.Duration) *MemoryLimiter {
	return newMemory(burst, every, 10000)
}

func newMemory(burst int, every time.Duration, max int) *MemoryLimiter {
	return &MemoryLimiter{burst: float64(burst), every: every, max: max, keys: map[string]*list.Element{},
		open: list.New(), blocked: list.New(), overflow: bucket{tokens: float64(burst)},
		inOverflow: map[string]int{}, settled: make(chan struct{})}
}

// refill brings b up to date at now.
func (m *MemoryLimiter) refill(b *bucket, now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(m.burst, b.tokens+float64(now.Sub(b.last))/float64(m.every))
	}
	b.last = now
}

// Spend implements Limiter.
func (m *MemoryLimiter) Spend(ctx context.Context, key string) (time.Duration, error) {
	var timeout *time.Timer // made only when there is something to wait for
	for {
		wait, pending, settled := m.try(key)
		if wait == 0 || !pending {
			return wait, nil
		}
		if timeout == nil {
			timeout = time.NewTimer(maxPendingWait)
			defer timeout.Stop()
		}
		// Empty while others are being checked: wait for one to settle.
		select {
		case <-settled:
		case <-ctx.Done():
			return wait, nil
		case <-timeout.C:
			return wait, nil
		}
	}
}

// try spends from key's bucket; when it cannot, pending says whether
// attempts of key are still being checked, and settled when one is.
func (m *MemoryLimiter) try(key string) (wait time.Duration, pending bool, settled <-chan struct{}) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entry(key, now)
	b := &m.overflow
	if e != nil {
		b = &e.bucket
	}
	m.refill(b, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(m.every)), b.pending > 0, m.settled
	}
	b.tokens--
	b.pending++
	if e == nil {
		m.inOverflow[key]++
	}
	m.place(e)
	return 0, false, nil
}

// entry is key's entry, made (and room made for it) if need be; nil when
// there is no room: the overflow bucket.
func (m *MemoryLimiter) entry(key string, now time.Time) *entry {
	if el, ok := m.keys[key]; ok {
		return el.Value.(*entry)
	}
	if len(m.keys) >= m.max && !m.evict(now) {
		return nil
	}
	e := &entry{key: key, bucket: bucket{tokens: m.burst, last: now}}
	m.keys[key] = m.open.PushFront(e)
	return e
}

// place puts e, just used, where it belongs: the front of open, or the
// back of blocked when it has no attempt left.
func (m *MemoryLimiter) place(e *entry) {
	if e == nil {
		return
	}
	el := m.keys[e.key]
	switch nowBlocked := e.tokens < 1; {
	case nowBlocked && !e.isBlocked:
		m.open.Remove(el)
		m.keys[e.key] = m.blocked.PushBack(e)
	case !nowBlocked && e.isBlocked:
		m.blocked.Remove(el)
		m.keys[e.key] = m.open.PushFront(e)
	case !nowBlocked:
		m.open.MoveToFront(el)
	}
	e.isBlocked = e.tokens < 1
}

// evict forgets one key that may go: the least recently used open one
// with no attempt being checked, else the longest-blocked one if it has
// been unblocked since. False when there is none.
func (m *MemoryLimiter) evict(now time.Time) bool {
	for el := m.open.Back(); el != nil; el = el.Prev() {
		if e := el.Value.(*entry); e.pending == 0 {
			m.open.Remove(el)
			delete(m.keys, e.key)
			return true
		}
	}
	if el := m.blocked.Front(); el != nil {
		e := el.Value.(*entry)
		if m.refill(&e.bucket, now); e.tokens >= 1 && e.pending == 0 {
			m.blocked.Remove(el)
			delete(m.keys, e.key)
			return true
		}
	}
	return false
}

// Settle implements Limiter.
func (m *MemoryLimiter) Settle(_ context.Context, key string, failed bool) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var e *entry
	b := &m.overflow
	if n := m.inOverflow[key]; n > 0 {
		if n == 1 {
			delete(m.inOverflow, key)
		} else {
			m.inOverflow[key] = n - 1
		}
	} else if el, ok := m.keys[key]; ok {
		e = el.Value.(*entry)
		b = &e.bucket
	}
	if b.pending > 0 {
		b.pending--
	}
	if !failed {
		m.refill(b, now)
		b.tokens = min(m.burst, b.tokens+1)
	}
	if e != nil && e.isBlocked && e.tokens >= 1 {
		m.place(e)
	}
	close(m.settled)
	m.settled = make(chan struct{})
	return nil
}
