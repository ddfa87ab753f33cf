package gate

import (
	"context"
	"sync"
	"time"
)

// A Limiter holds back clients that fail to log in too often. The gate
// keys it by client address.
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
// The bucket is two numbers, written here rather than taken from
// x/time/rate: rate.Limiter gives a token back only through the
// Reservation that took it, and Refund comes in a later call.
type Memory struct {
	burst float64
	every time.Duration
	max   int // keys remembered at most; bounds memory under a flood

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

var _ Limiter = (*Memory)(nil)

// NewMemoryLimiter allows burst failed logins per key, then one per every.
func NewMemoryLimiter(burst int, every time.Duration) *Memory {
	return &Memory{burst: float64(burst), every: every, max: 10000, buckets: map[string]*bucket{}}
}

// refill brings b up to date at now.
func (m *Memory) refill(b *bucket, now time.Time) {
	b.tokens = min(m.burst, b.tokens+float64(now.Sub(b.last))/float64(m.every))
	b.last = now
}

// Spend implements Limiter.
func (m *Memory) Spend(_ context.Context, key string) (time.Duration, error) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buckets[key]
	if !ok {
		if len(m.buckets) >= m.max {
			m.forgetRested(now)
		}
		b = &bucket{tokens: m.burst, last: now}
		m.buckets[key] = b
	}
	m.refill(b, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(m.every)), nil
	}
	b.tokens--
	return 0, nil
}

// Refund implements Limiter.
func (m *Memory) Refund(_ context.Context, key string) error {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if b, ok := m.buckets[key]; ok {
		m.refill(b, now)
		b.tokens = min(m.burst, b.tokens+1)
	}
	return nil
}

// forgetRested drops keys whose buckets are full again (they carry no
// information); if none is, it starts over rather than grow.
func (m *Memory) forgetRested(now time.Time) {
	for k, b := range m.buckets {
		if m.refill(b, now); b.tokens >= m.burst {
			delete(m.buckets, k)
		}
	}
	if len(m.buckets) >= m.max {
		clear(m.buckets)
	}
}
