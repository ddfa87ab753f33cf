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
// of them was counted. A login that succeeds gives its attempt back with
// Refund, so only failures use up the budget and a script that sends the
// right Basic credentials on every request is never held back.
type Limiter interface {
	// Spend takes one attempt from key's budget. wait > 0 means the budget
	// is empty: nothing was taken, and the next attempt may come after
	// wait.
	Spend(ctx context.Context, key string) (wait time.Duration, err error)
	// Refund gives back the attempt a successful login took.
	Refund(ctx context.Context, key string) error
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
// The bucket is two numbers, written here rather than taken from
// x/time/rate: rate.Limiter gives a token back only through the
// Reservation that took it, and Refund comes in a later call.
type Memory struct {
	burst float64
	every time.Duration
	max   int // keys remembered at most

	mu       sync.Mutex
	keys     map[string]*list.Element // of *entry
	lru      *list.List               // front: most recently used
	overflow bucket
}

type entry struct {
	key string
	bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

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
		overflow: bucket{tokens: float64(burst)}}
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
	return 0
}

// Spend implements Limiter.
func (m *Memory) Spend(_ context.Context, key string) (time.Duration, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.keys[key]; ok {
		m.lru.MoveToFront(el)
		return m.spend(&el.Value.(*entry).bucket, now), nil
	}
	if len(m.keys) >= m.max && !m.evict(now) {
		return m.spend(&m.overflow, now), nil
	}
	e := &entry{key: key, bucket: bucket{tokens: m.burst, last: now}}
	m.keys[key] = m.lru.PushFront(e)
	return m.spend(&e.bucket, now), nil
}

// evict forgets the least recently used key that is not blocked, looking
// at evictScan keys at most; false when they were all blocked.
func (m *Memory) evict(now time.Time) bool {
	el := m.lru.Back()
	for range evictScan {
		if el == nil {
			return false
		}
		e := el.Value.(*entry)
		if m.refill(&e.bucket, now); e.tokens >= 1 {
			m.lru.Remove(el)
			delete(m.keys, e.key)
			return true
		}
		el = el.Prev()
	}
	return false
}

// Refund implements Limiter.
func (m *Memory) Refund(_ context.Context, key string) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b := &m.overflow // the key was spent from the overflow bucket
	if el, ok := m.keys[key]; ok {
		b = &el.Value.(*entry).bucket
	}
	m.refill(b, now)
	b.tokens = min(m.burst, b.tokens+1)
	return nil
}
