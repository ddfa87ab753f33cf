// Package session turns a logged-in user into a cookie value and back. The
// value is signed (HMAC-SHA256) and encrypted (AES-256) by
// gorilla/securecookie, with keys derived from the configured secret, so
// every Lambda container built from the same configuration accepts the
// others' cookies.
package session

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/securecookie"
)

// CookieName is the name of the session cookie. securecookie binds it into
// the MAC, so a value cannot be replayed under another cookie name.
const CookieName = "formgate"

// Session is what a cookie proves.
type Session struct {
	User string
	// ID is random, one per login: what a revocation names (logout across
	// containers).
	ID string
	// Issued is when the login happened (Unix nanoseconds: a login right
	// after "log out everywhere" must count as after it): the absolute
	// lifetime counts from it, however often the cookie is renewed.
	Issued int64
	// Seen is when the cookie was last renewed (Unix nanoseconds), for
	// the idle timeout.
	Seen int64
	// Stamp is the user's credential stamp at login (see the gate's
	// User.Stamp): a new password, another name or a removed user no
	// longer matches it.
	Stamp string
}

// New is a fresh session for user, issued now.
func New(user, stamp string, now time.Time) Session {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return Session{User: user, ID: base64.RawURLEncoding.EncodeToString(b), Issued: now.UnixNano(), Seen: now.UnixNano(), Stamp: stamp}
}

// Codec encodes and decodes session cookie values.
type Codec struct {
	codecs []securecookie.Codec
}

// NewCodec derives the cookie keys from secret (and, during a rotation,
// previous) for scope — the gate's base path — and returns a Codec whose
// values expire after ttl. A cookie made for one scope fails its MAC in
// any other: two gates of one program (or two apps with a copied secret)
// never take each other's sessions.
func NewCodec(secret, previous []byte, scope string, ttl time.Duration) (*Codec, error) {
	if len(secret) == 0 {
		return nil, errors.New("session: empty secret")
	}
	var pairs [][]byte
	for _, s := range [][]byte{secret, previous} {
		if len(s) == 0 {
			continue
		}
		hashKey, blockKey, err := keys(s, scope)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, hashKey, blockKey)
	}
	// The first pair encodes; all pairs decode (key rotation).
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		sc := c.(*securecookie.SecureCookie)
		// The codec's MaxAge checks the timestamp inside the MAC, so a stolen
		// cookie stops working after the TTL even if a client ignores the
		// cookie's own Max-Age.
		sc.MaxAge(int(ttl / time.Second))
		sc.SetSerializer(binarySerializer{})
	}
	return &Codec{codecs: codecs}, nil
}

// keys derives the signing and the encryption key from secret: separate
// keys, each bound to its use and to scope by the HKDF info string, so one
// secret never serves two purposes nor two gates.
func keys(secret []byte, scope string) (hashKey, blockKey []byte, err error) {
	if hashKey, err = hkdf.Key(sha256.New, secret, nil, "formgate session hmac-sha256 v2\x00"+scope, 32); err != nil {
		return nil, nil, fmt.Errorf("session: derive hash key: %w", err)
	}
	if blockKey, err = hkdf.Key(sha256.New, secret, nil, "formgate session aes-256 v2\x00"+scope, 32); err != nil {
		return nil, nil, fmt.Errorf("session: derive block key: %w", err)
	}
	return hashKey, blockKey, nil
}

// Encode returns the cookie value for s.
func (c *Codec) Encode(s Session) (string, error) {
	return securecookie.EncodeMulti(CookieName, s, c.codecs...)
}

// Decode returns the session in value. Any error (expired, tampered, made
// with another key, malformed) means "no session"; the error says which for
// the log and never contains the value.
func (c *Codec) Decode(value string) (Session, error) {
	var s Session
	if err := securecookie.DecodeMulti(CookieName, value, &s, c.codecs...); err != nil {
		return Session{}, err
	}
	if s.User == "" || s.ID == "" || s.Issued == 0 {
		return Session{}, errors.New("session: cookie has no user, id or issue time")
	}
	return s, nil
}
