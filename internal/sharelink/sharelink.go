// Package sharelink turns a share link — "let whoever holds this see the
// report until then" — into a short token and back. The token is signed,
// not encrypted: it carries a random id (what a revocation names), the
// expiry, the maker's user name and a keyed digest of the maker's
// credential stamp, then an HMAC-SHA256 tag over all of it. It is
// base64url, about 60 characters for a short user name, so it fits in a
// chat message.
//
// The key is derived from the session secret with HKDF under an info
// string of its own, so a session cookie can never pass as a link nor a
// link as a session cookie, and the secret serves each purpose with a
// different key. Only the current secret signs and verifies: rotating it
// ends every link.
package sharelink

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Errors Decode returns; each is a different message to the visitor.
var (
	// ErrMalformed: not a token at all, or cut short (a paste that lost its
	// end).
	ErrMalformed = errors.New("sharelink: malformed token")
	// ErrForged: well formed, but the tag does not match — changed, or made
	// with another key (another deployment, or before a rotation).
	ErrForged = errors.New("sharelink: token not signed with this key")
	// ErrExpired: genuine, and past its expiry.
	ErrExpired = errors.New("sharelink: token expired")
)

// Layout of a token before base64url: version, id, expiry, stamp digest,
// user name (the rest), tag. Fixed sizes except the name, so decoding is
// slicing, with nothing to overflow.
const (
	version   = 1
	IDLen     = 9 // random bytes: 72 bits, 12 base64url characters
	expLen    = 4 // Unix seconds, big-endian uint32: good until 2106
	stampLen  = 8 // keyed digest of the credential stamp
	tagLen    = 16
	headerLen = 1 + IDLen + expLen + stampLen
	// MaxUserLen bounds the maker's name in a token, and so the token's
	// length (at most 392 characters).
	MaxUserLen = 256
	// MaxTokenLen is the longest token Decode looks at.
	MaxTokenLen = (headerLen + MaxUserLen + tagLen + 2) / 3 * 4
)

// enc is strict base64url: one token has exactly one spelling, so no
// character can change without the tag noticing.
var enc = base64.RawURLEncoding.Strict()

// ValidID reports whether id can be a link's ID (the revoke form's field):
// IDLen bytes in the token's own encoding.
func ValidID(id string) bool {
	b, err := enc.DecodeString(id)
	return err == nil && len(b) == IDLen
}

// Link is what a token proves.
type Link struct {
	// ID is random: the name a revocation uses, and safe to log (it opens
	// nothing without the tag).
	ID string
	// User made the link.
	User string
	// Expires is when the link stops working, to the second.
	Expires time.Time
	id      [IDLen]byte // ID's bytes
	stamp   [stampLen]byte
}

// Codec signs and checks tokens with one key.
type Codec struct {
	tagKey, stampKey []byte
}

// NewCodec derives the link keys from secret (the session secret) and
// scope (the gate's base path): a link opens only the gate it was made
// for, not another one that shares the secret (two apps of one program,
// a copied secret).
func NewCodec(secret []byte, scope string) (*Codec, error) {
	if len(secret) == 0 {
		return nil, errors.New("sharelink: empty secret")
	}
	// Info strings of their own: neither key equals a session key; the
	// scope makes a link of another base path fail its tag.
	tagKey, err := hkdf.Key(sha256.New, secret, nil, "formgate share-link v1\x00"+scope, 32)
	if err != nil {
		return nil, fmt.Errorf("sharelink: derive key: %w", err)
	}
	stampKey, err := hkdf.Key(sha256.New, secret, nil, "formgate share-link stamp v1", 32)
	if err != nil {
		return nil, fmt.Errorf("sharelink: derive key: %w", err)
	}
	return &Codec{tagKey: tagKey, stampKey: stampKey}, nil
}

// New is a fresh link of user, whose credential stamp is stamp, that
// works until expires (rounded down to the second). A name longer than
// MaxUserLen is an error.
func (c *Codec) New(user, stamp string, expires time.Time) (Link, error) {
	if user == "" || len(user) > MaxUserLen {
		return Link{}, fmt.Errorf("sharelink: user name of %d bytes (1 to %d fit in a link)", len(user), MaxUserLen)
	}
	if s := expires.Unix(); s <= 0 || s > 1<<32-1 {
		return Link{}, errors.New("sharelink: expiry out of range")
	}
	l := Link{User: user, Expires: time.Unix(expires.Unix(), 0), stamp: c.stampDigest(user, stamp)}
	rand.Read(l.id[:]) // never fails (crypto/rand, Go 1.24+)
	l.ID = enc.EncodeToString(l.id[:])
	return l, nil
}

// stampDigest binds the link to the maker's credential. Keyed, because
// the token is readable by whoever holds it and a stamp is a plain hash
// of a password (or its hash) that could be guessed at offline.
func (c *Codec) stampDigest(user, stamp string) [stampLen]byte {
	m := hmac.New(sha256.New, c.stampKey)
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write([]byte(stamp))
	var d [stampLen]byte
	copy(d[:], m.Sum(nil))
	return d
}

// Made reports whether l was made under the credential stamp, in constant
// time: false once the maker's password has changed.
func (c *Codec) Made(l Link, stamp string) bool {
	d := c.stampDigest(l.User, stamp)
	return hmac.Equal(d[:], l.stamp[:])
}

// Encode returns the token of l, a Link made by New.
func (c *Codec) Encode(l Link) string {
	b := make([]byte, 0, headerLen+len(l.User)+tagLen)
	b = append(b, version)
	b = append(b, l.id[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(l.Expires.Unix()))
	b = append(b, l.stamp[:]...)
	b = append(b, l.User...)
	b = append(b, c.tag(b)...)
	return enc.EncodeToString(b)
}

func (c *Codec) tag(b []byte) []byte {
	m := hmac.New(sha256.New, c.tagKey)
	m.Write(b)
	return m.Sum(nil)[:tagLen]
}

// Decode returns the link in token, checked against the key and now. The
// error is ErrMalformed, ErrForged or ErrExpired (checked in that order:
// an expired token is a genuine one); it never contains the token. Any
// string is safe to pass: Decode never panics.
func (c *Codec) Decode(token string, now time.Time) (Link, error) {
	if len(token) > MaxTokenLen {
		return Link{}, ErrMalformed
	}
	b, err := enc.DecodeString(token)
	if err != nil || len(b) < headerLen+1+tagLen || b[0] != version {
		return Link{}, ErrMalformed
	}
	body, tag := b[:len(b)-tagLen], b[len(b)-tagLen:]
	if !hmac.Equal(tag, c.tag(body)) {
		return Link{}, ErrForged
	}
	l := Link{
		ID:      enc.EncodeToString(body[1 : 1+IDLen]),
		Expires: time.Unix(int64(binary.BigEndian.Uint32(body[1+IDLen:])), 0),
		User:    string(body[headerLen:]),
	}
	copy(l.id[:], body[1:])
	copy(l.stamp[:], body[1+IDLen+expLen:])
	if !now.Before(l.Expires) {
		return l, ErrExpired // the link, for the log line and the page
	}
	return l, nil
}
