package apitoken

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Shown carries a token just made to the page that shows it once, after
// a browser's post/redirect/get: in a cookie that lives a minute,
// encrypted and authenticated (AES-256-GCM), so that the token is never
// readable in a cookie jar, a proxy's log or a browser's developer tools.
type Shown struct {
	aead cipher.AEAD
	aad  []byte
}

// NewShown derives the cookie's key from secret (the session secret) and
// scope (the gate's base path), under a name of its own: no other key of
// the secret opens it.
func NewShown(secret []byte, scope string) (*Shown, error) {
	if len(secret) == 0 {
		return nil, errors.New("apitoken: empty secret")
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "formgate token shown once v1\x00"+scope, 32)
	if err != nil {
		return nil, fmt.Errorf("apitoken: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Shown{aead: aead, aad: []byte("formgate_newtoken")}, nil
}

// Made is a token just made, as the page shows it.
type Made struct {
	Token   string    `json:"t"`
	ID      string    `json:"i"`
	Name    string    `json:"n"`
	User    string    `json:"u"`
	Expires time.Time `json:"e"`
	// Until is when the cookie stops carrying it.
	Until time.Time `json:"w"`
}

// Seal returns the cookie value of m.
func (s *Shown) Seal(m Made) string {
	plain, _ := json.Marshal(m)
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand, Go 1.24+)
	return enc.EncodeToString(s.aead.Seal(nonce, nonce, plain, s.aad))
}

// maxShownLen bounds a cookie value Open looks at.
const maxShownLen = 4096

// Open returns what value carries, if it was sealed with this key and its
// time has not passed at now. Its error never holds the value.
func (s *Shown) Open(value string, now time.Time) (Made, error) {
	bad := errors.New("apitoken: not a token cookie of this key, or too old")
	if len(value) > maxShownLen {
		return Made{}, bad
	}
	b, err := enc.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return Made{}, bad
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], s.aad)
	if err != nil {
		return Made{}, bad
	}
	var m Made
	if json.Unmarshal(plain, &m) != nil || !now.Before(m.Until) {
		return Made{}, bad
	}
	return m, nil
}
