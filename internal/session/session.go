// Package session turns a logged-in user into a cookie value and back. The
// value is signed (HMAC-SHA256) and encrypted (AES-256 in CTR mode) in
// gorilla/securecookie's format, with keys derived from the configured
// secret, so every Lambda container built from the same configuration
// accepts the others' cookies. The format is written here, not by the
// library: the library imports encoding/gob (its default serializer),
// whose initialisation cost every cold start more than the rest of this
// package's work, and made a new HMAC for every cookie read. Tests check
// it against securecookie both ways.
package session

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"sync"
	"time"
)

// CookieName is the name of the session cookie. It is bound into the MAC,
// so a value cannot be replayed under another cookie name.
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
	keys   []*keyPair // the first encodes; all decode (key rotation)
	maxAge int64      // seconds a value is good for, from when it was made; 0: no limit
}

// keyPair is one secret's keys: the cipher, and HMACs with the signing key
// to reuse.
type keyPair struct {
	block cipher.Block
	macs  sync.Pool // hash.Hash
}

// maxLength bounds a cookie value, made or read (securecookie's default:
// the most a browser is sure to keep).
const maxLength = 4096

// NewCodec derives the cookie keys from secret (and, during a rotation,
// previous) for scope — the gate's base path — and returns a Codec whose
// values expire after ttl. A cookie made for one scope fails its MAC in
// any other: two gates of one program (or two apps with a copied secret)
// never take each other's sessions.
func NewCodec(secret, previous []byte, scope string, ttl time.Duration) (*Codec, error) {
	if len(secret) == 0 {
		return nil, errors.New("session: empty secret")
	}
	// The timestamp inside the MAC is checked against ttl, so a stolen
	// cookie stops working after the TTL even if a client ignores the
	// cookie's own Max-Age.
	c := &Codec{maxAge: int64(ttl / time.Second)}
	for _, s := range [][]byte{secret, previous} {
		if len(s) == 0 {
			continue
		}
		hashKey, blockKey, err := keys(s, scope)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(blockKey)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		k := &keyPair{block: block}
		k.macs.New = func() any { return hmac.New(sha256.New, hashKey) }
		c.keys = append(c.keys, k)
	}
	return c, nil
}

// mac appends the HMAC of b under k to dst.
func (k *keyPair) mac(dst, b []byte) []byte {
	h := k.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(b)
	dst = h.Sum(dst)
	k.macs.Put(h)
	return dst
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

// Encode returns the cookie value for s: base64 of "date|value|mac",
// where value is base64 of the IV and the serialized session encrypted,
// and mac the HMAC of "name|date|value", binding the cookie's name.
func (c *Codec) Encode(s Session) (string, error) {
	plain, err := binarySerializer{}.Serialize(s)
	if err != nil {
		return "", err
	}
	k := c.keys[0]
	sealed := make([]byte, aes.BlockSize+len(plain))
	iv := sealed[:aes.BlockSize]
	rand.Read(iv) // never fails (crypto/rand, Go 1.24+)
	cipher.NewCTR(k.block, iv).XORKeyStream(sealed[aes.BlockSize:], plain)
	b := append([]byte(CookieName+"|"), strconv.FormatInt(time.Now().UTC().Unix(), 10)...)
	b = append(b, '|')
	b = base64.URLEncoding.AppendEncode(b, sealed)
	b = k.mac(append(b, '|'), b)[len(CookieName)+1:]
	v := base64.URLEncoding.EncodeToString(b)
	if len(v) > maxLength {
		return "", errors.New("session: the cookie value is too long")
	}
	return v, nil
}

// Decode returns the session in value. Any error (expired, tampered, made
// with another key, malformed) means "no session"; the error says which for
// the log and never contains the value.
func (c *Codec) Decode(value string) (Session, error) {
	if len(value) > maxLength {
		return Session{}, errors.New("session: the cookie value is too long")
	}
	b, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return Session{}, errors.New("session: the cookie value is not base64")
	}
	// "date|value|mac"; the mac is bytes, and may hold a '|'.
	date, rest, ok := bytes.Cut(b, []byte("|"))
	if !ok {
		return Session{}, errMAC
	}
	sealed, mac, ok := bytes.Cut(rest, []byte("|"))
	if !ok {
		return Session{}, errMAC
	}
	signed := append([]byte(CookieName+"|"), b[:len(date)+1+len(sealed)]...)
	err = errMAC
	for _, k := range c.keys {
		var sum [sha256.Size]byte
		if !hmac.Equal(mac, k.mac(sum[:0], signed)) {
			continue
		}
		var s Session
		if s, err = c.open(k, date, sealed); err == nil {
			return s, nil
		}
	}
	return Session{}, err
}

var errMAC = errors.New("session: the cookie's MAC is not valid")

// open checks the signed value's date and decrypts it with k.
func (c *Codec) open(k *keyPair, date, sealed []byte) (Session, error) {
	made, err := strconv.ParseInt(string(date), 10, 64)
	if err != nil {
		return Session{}, errors.New("session: the cookie's timestamp is not valid")
	}
	if c.maxAge != 0 && made < time.Now().UTC().Unix()-c.maxAge {
		return Session{}, errors.New("session: the cookie has expired")
	}
	b, err := base64.URLEncoding.AppendDecode(nil, sealed)
	if err != nil {
		return Session{}, errors.New("session: the cookie value is not base64")
	}
	if len(b) <= aes.BlockSize {
		return Session{}, errors.New("session: the cookie value is too short to decrypt")
	}
	cipher.NewCTR(k.block, b[:aes.BlockSize]).XORKeyStream(b[aes.BlockSize:], b[aes.BlockSize:])
	var s Session
	if err := (binarySerializer{}).Deserialize(b[aes.BlockSize:], &s); err != nil {
		return Session{}, err
	}
	if s.User == "" || s.ID == "" || s.Issued == 0 {
		return Session{}, errors.New("session: cookie has no user, id or issue time")
	}
	return s, nil
}
