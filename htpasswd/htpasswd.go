// Package htpasswd is a formgate.Checker over htpasswd lines — one
// "user:hash" a line, as Apache's htpasswd -B, Caddy's hash-password and
// formgate's own cmd/hash-password write them — with bcrypt ($2a$, $2b$,
// $2y$) or argon2id ($argon2id$) hashes, from golang.org/x/crypto.
//
// Other formats ({SHA}, $apr1$, crypt, plain text) are refused when the
// lines are read, with the line number and what to do: they are fast to
// guess once the file leaks.
//
// A hash check takes tens of milliseconds on purpose, so Users remembers
// credentials it has verified, for a few minutes, keyed by an HMAC of user
// name, password and stored hash under a key made at random for this
// process: never the password itself, and a new hash for a user misses
// whatever was remembered under the old one.
package htpasswd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode"

	formgate "github.com/formgate/formgate"
)

// Users checks user names and passwords against htpasswd lines. It is safe
// for concurrent use.
type Users struct {
	users map[string]*user
	// order is the users in file order; an unknown name is checked against
	// the hash of one of them, picked by an HMAC of the name, so it costs
	// what a wrong password for a known user does — whatever mix of kinds
	// and costs the file has, the time taken does not tell who exists.
	order []*user
	cache *cache
	// slots bounds the hash checks that run at once: an argon2id check
	// holds its memory (19 MiB by default) while it runs.
	slots chan struct{}
}

type user struct {
	name  string
	hash  verifier
	stamp string
}

var _ formgate.Checker = (*Users)(nil)

// Cache settings: verified credentials are remembered this long, this many
// at most.
const (
	CacheTTL  = 5 * time.Minute
	CacheSize = 1000
)

// Parse reads htpasswd lines from r. Blank lines and lines starting with
// # are skipped. The error lists every bad line by number; it never
// quotes a hash.
func Parse(r io.Reader) (*Users, error) {
	u := &Users{users: map[string]*user{}, cache: newCache(CacheSize, CacheTTL), slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
	firstLine := map[string]int{}
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for n = 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark from an editor
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("line %d: no ':' between the user name and the hash; write user:hash", n))
			continue
		case name == "":
			errs = append(errs, fmt.Errorf("line %d: the user name is empty", n))
			continue
		case strings.ContainsAny(name, "$") || len(name) > 128:
			// Not quoted: it may be a hash or a password, put first by mistake.
			errs = append(errs, fmt.Errorf("line %d: this does not look like a user name (a hash first? write user:hash)", n))
			continue
		case strings.TrimSpace(name) != name || strings.IndexFunc(name, unicode.IsControl) >= 0:
			errs = append(errs, fmt.Errorf("line %d: the user name %q has spaces around it or control characters; nobody could type it", n, name))
			continue
		case firstLine[name] != 0:
			errs = append(errs, fmt.Errorf("line %d: user %q is already on line %d; each user once", n, name, firstLine[name]))
			continue
		}
		firstLine[name] = n
		v, err := parseHash(hash)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d (user %q): %w; make a hash with `go run ./cmd/hash-password %s` (or htpasswd -nBC 10 %s)", n, name, err, name, name))
			continue
		}
		usr := &user{name: name, hash: v, stamp: formgate.CredentialStamp(name, hash)}
		u.users[name] = usr
		u.order = append(u.order, usr)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("line %d: %w (a line may be 64 KiB at most)", n, err))
	}
	if len(errs) == 0 && len(u.users) == 0 {
		errs = append(errs, errors.New("no users: add one user:hash line"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return u, nil
}

// ParseFile reads the htpasswd file at path; errors name the file.
func ParseFile(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	u, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// Len is how many users there are.
func (u *Users) Len() int { return len(u.users) }

// Check implements formgate.Checker. It returns ctx's error when ctx ends
// while it waits for a hash check to be free.
func (u *Users) Check(ctx context.Context, name, password string) (formgate.User, bool, error) {
	usr, known := u.users[name]
	if !known {
		// The same work as a wrong password for one of the users, and
		// always a no.
		_, err := u.verify(ctx, u.order[u.cache.pick(name, len(u.order))].hash, password)
		return formgate.User{}, false, err
	}
	key := u.cache.key(name, password, usr.stamp)
	if u.cache.has(key) {
		return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
	}
	if ok, err := u.verify(ctx, usr.hash, password); !ok || err != nil {
		return formgate.User{}, false, err
	}
	u.cache.add(key)
	return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
}

// verify runs one hash check when a slot is free.
func (u *Users) verify(ctx context.Context, h verifier, password string) (bool, error) {
	select {
	case u.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-u.slots }()
	return h.verify(password), nil
}

// Lookup implements formgate.Checker: a map lookup, no hashing.
func (u *Users) Lookup(_ context.Context, name string) (formgate.User, bool, error) {
	usr, ok := u.users[name]
	if !ok {
		return formgate.User{}, false, nil
	}
	return formgate.User{Name: usr.name, Stamp: usr.stamp}, true, nil
}
