package htpasswd

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"
)

// cache remembers credentials that passed a hash check, so that a script
// sending Basic credentials on every request pays for one hash check per
// CacheTTL, not one per request.
type cache struct {
	secret [32]byte // random per process: a key cannot be computed from outside
	ttl    time.Duration
	max    int

	mu      sync.Mutex
	entries map[[sha256.Size]byte]time.Time // key → expiry
}

func newCache(max int, ttl time.Duration) *cache {
	c := &cache{ttl: ttl, max: max, entries: map[[sha256.Size]byte]time.Time{}}
	rand.Read(c.secret[:]) // never fails (crypto/rand, Go 1.24+)
	return c
}

// key is an HMAC of the user name, the password and the user's credential
// stamp (a hash of the stored hash): the password is never kept, and a new
// hash for the user makes every old key miss. Lengths go first, so no two
// different inputs run together the same way.
func (c *cache) key(name, password, stamp string) [sha256.Size]byte {
	m := hmac.New(sha256.New, c.secret[:])
	var n [8]byte
	for _, s := range []string{name, password, stamp} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	var k [sha256.Size]byte
	m.Sum(k[:0])
	return k
}

// pick is a number below n chosen by an HMAC of name: the same for a name
// every time in this process, and no one outside can tell which.
func (c *cache) pick(name string, n int) int {
	m := hmac.New(sha256.New, c.secret[:])
	m.Write([]byte("pick\x00"))
	m.Write([]byte(name))
	return int(binary.BigEndian.Uint64(m.Sum(nil)[:8]) % uint64(n))
}

func (c *cache) has(k [sha256.Size]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.entries[k]
	if ok && time.Now().After(exp) {
		delete(c.entries, k)
		return false
	}
	return ok
}

func (c *cache) add(k [sha256.Size]byte) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for e, exp := range c.entries {
			if now.After(exp) {
				delete(c.entries, e)
			}
		}
		for e := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, e) // full of live entries: any one goes
		}
	}
	c.entries[k] = now.Add(c.ttl)
}
