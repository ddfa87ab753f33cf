package formgate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
)

// Tokens for scripts (Options.Tokens): a user logged in with a password
// makes a named token that opens BasePath for reading until it expires or
// is revoked. This file holds the stores; tokenway.go the way in by a
// token, tokenroutes.go the routes below RoutePrefix + "tokens",
// tokenpage.go what a page needs to offer them.

// Tokens keeps tokens for scripts: what the gate needs to let a token in
// and to list a user's. Every store has it; one that can also make and
// revoke tokens is a TokenWriter (FileTokens, read from a file, is not).
type Tokens interface {
	// Find returns the token id: one read, on every request by a token.
	// ok is false when the store has none. A revoked or expired token is
	// returned as it is (Revoked, Expires), so that its script learns why
	// it is refused.
	Find(ctx context.Context, id string) (t Token, ok bool, err error)
	// List returns user's tokens that are neither revoked nor expired,
	// in any order.
	List(ctx context.Context, user string) ([]Token, error)
	// Used records that token id was used at at. The gate calls it at
	// most once an hour per token, never for a token Find did not return.
	Used(ctx context.Context, id string, at time.Time) error
}

// TokenWriter is a Tokens that makes and revokes tokens: with one, the
// page offers both, and so do the routes below RoutePrefix + "tokens".
type TokenWriter interface {
	Tokens
	// Add records t, unless t.User has max live tokens already: then
	// ErrTooManyTokens. The count and the write are one step, so requests
	// at once cannot pass max.
	Add(ctx context.Context, t Token, max int) error
	// Revoke ends user's token id at at: Find returns it Revoked from
	// then on. A token that is not user's, or not there, is no error and
	// is left alone.
	Revoke(ctx context.Context, user, id string, at time.Time) error
}

// ErrTooManyTokens is Add's answer when the user has as many live tokens
// as allowed.
var ErrTooManyTokens = errors.New("formgate: too many live tokens")

// Token is a token for scripts as a store keeps it: never the token
// itself, only its SHA-256.
type Token struct {
	// ID names the token; it opens nothing by itself, and may be logged.
	ID string
	// User made it: a request by the token is this user's (ViaToken).
	User string
	// Name says what it is for ("ci"), as its maker typed it.
	Name string
	// Hash is the SHA-256 of the token.
	Hash [32]byte
	// Created is when it was made; zero when not known (FileTokens).
	Created time.Time
	// Expires is when it stops working.
	Expires time.Time
	// LastUsed is when it was last used, to the hour; zero for never (or
	// not recorded: FileTokens).
	LastUsed time.Time
	// Revoked is when it was revoked; zero while it is not.
	Revoked time.Time
}

// live reports whether t works at now.
func (t Token) live(now time.Time) bool { return t.Revoked.IsZero() && now.Before(t.Expires) }

// tokenMemory is how long a store keeps a token past its expiry, so that
// its script is told "expired" or "revoked" rather than "unknown" (which
// counts as a failed login for its address) for a month.
const tokenMemory = 30 * 24 * time.Hour

// MemoryTokens keeps tokens in this process: right for one server
// (cmd/local) and for tests; on Lambda each container would have its own.
type MemoryTokens struct {
	mu     sync.Mutex
	byID   map[string]*Token
	byUser map[string]map[string]bool
}

var _ TokenWriter = (*MemoryTokens)(nil)

// NewMemoryTokens returns an empty MemoryTokens.
func NewMemoryTokens() *MemoryTokens {
	return &MemoryTokens{byID: map[string]*Token{}, byUser: map[string]map[string]bool{}}
}

// Add implements TokenWriter. Tokens a month past their expiry are
// forgotten in passing.
func (m *MemoryTokens) Add(_ context.Context, t Token, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	live := 0
	for id := range m.byUser[t.User] {
		old := m.byID[id]
		if now.After(old.Expires.Add(tokenMemory)) {
			delete(m.byID, id)
			delete(m.byUser[t.User], id)
			continue
		}
		if old.live(now) {
			live++
		}
	}
	if live >= max {
		return ErrTooManyTokens
	}
	if _, taken := m.byID[t.ID]; taken {
		return fmt.Errorf("formgate: token id %s exists", t.ID)
	}
	if m.byUser[t.User] == nil {
		m.byUser[t.User] = map[string]bool{}
	}
	m.byID[t.ID], m.byUser[t.User][t.ID] = &t, true
	return nil
}

// Find implements Tokens.
func (m *MemoryTokens) Find(_ context.Context, id string) (Token, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.byID[id]
	if !ok {
		return Token{}, false, nil
	}
	return *t, true, nil
}

// List implements Tokens.
func (m *MemoryTokens) List(_ context.Context, user string) ([]Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	var out []Token
	for id := range m.byUser[user] {
		if t := m.byID[id]; t.live(now) {
			out = append(out, *t)
		}
	}
	return out, nil
}

// Used implements Tokens.
func (m *MemoryTokens) Used(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.byID[id]; ok {
		t.LastUsed = at
	}
	return nil
}

// Revoke implements TokenWriter.
func (m *MemoryTokens) Revoke(_ context.Context, user, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.byID[id]; ok && t.User == user && t.Revoked.IsZero() {
		t.Revoked = at
	}
	return nil
}

// FileTokens are tokens read from a file of lines
//
//	id:user:name:hash:expiry
//
// (hash: the token's SHA-256 in hex; expiry: 20270801T000000Z, UTC), as
// `hash-password -token NAME USER` prints them; blank lines and lines
// starting with # are skipped. For a Lambda function without a table
// (AUTH_TOKENS_FILE): the file is bundled with it, so tokens are made by
// an operator and revoked by removing the line and deploying again. It is
// read-only (not a TokenWriter), and records no last use.
type FileTokens struct {
	byID   map[string]Token
	byUser map[string][]string
	users  []string // in the file's order
}

var _ Tokens = (*FileTokens)(nil)

// ParseTokens reads a tokens file. The error names the first bad line by
// number and never quotes it.
func ParseTokens(r io.Reader) (*FileTokens, error) {
	f := &FileTokens{byID: map[string]Token{}, byUser: map[string][]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		s := sc.Text()
		if len(s) > 0 && s[len(s)-1] == '\r' {
			s = s[:len(s)-1]
		}
		if s == "" || s[0] == '#' {
			continue
		}
		l, err := apitoken.ParseLine(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if _, dup := f.byID[l.ID]; dup {
			return nil, fmt.Errorf("line %d: id %s is on an earlier line too", n, l.ID)
		}
		f.byID[l.ID] = Token{ID: l.ID, User: l.User, Name: l.Name, Hash: l.Hash, Expires: l.Expires}
		if f.byUser[l.User] == nil {
			f.users = append(f.users, l.User)
		}
		f.byUser[l.User] = append(f.byUser[l.User], l.ID)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// ReadTokensFile is ParseTokens of the file at path.
func ReadTokensFile(path string) (*FileTokens, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	t, err := ParseTokens(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Len is the number of tokens in the file, expired ones included.
func (f *FileTokens) Len() int { return len(f.byID) }

// Users are the users the file names, each once, in the file's order.
func (f *FileTokens) Users() []string { return slices.Clone(f.users) }

// Find implements Tokens.
func (f *FileTokens) Find(_ context.Context, id string) (Token, bool, error) {
	t, ok := f.byID[id]
	return t, ok, nil
}

// List implements Tokens.
func (f *FileTokens) List(_ context.Context, user string) ([]Token, error) {
	now := time.Now()
	var out []Token
	for _, id := range f.byUser[user] {
		if t := f.byID[id]; t.live(now) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Used implements Tokens: a file records nothing.
func (f *FileTokens) Used(context.Context, string, time.Time) error { return nil }

// Expired is the number of the file's tokens expired at now.
func (f *FileTokens) Expired(now time.Time) int {
	n := 0
	for _, t := range f.byID {
		if !now.Before(t.Expires) {
			n++
		}
	}
	return n
}
