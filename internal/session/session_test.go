package session

import (
	"bytes"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/securecookie"
)

var (
	secretA = bytes.Repeat([]byte("a"), 32)
	secretB = bytes.Repeat([]byte("b"), 32)
)

func mustCodec(t testing.TB, secret, previous []byte, ttl time.Duration) *Codec {
	t.Helper()
	c, err := NewCodec(secret, previous, "/report", ttl)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := mustCodec(t, secretA, nil, time.Hour)
	v, err := c.Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Decode(v)
	if err != nil {
		t.Fatal(err)
	}
	if s.User != "anna" {
		t.Fatalf("user = %q, want anna", s.User)
	}
}

// The value is encrypted, not just signed: a codec that has the right
// signing key but no encryption key cannot read it.
func TestEncrypted(t *testing.T) {
	v, err := mustCodec(t, secretA, nil, time.Hour).Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	hashKey, blockKey, err := keys(secretA, "/report")
	if err != nil {
		t.Fatal(err)
	}
	var s Session
	signedOnly := securecookie.New(hashKey, nil).SetSerializer(binarySerializer{})
	if err := signedOnly.Decode(CookieName, v, &s); err == nil {
		t.Fatalf("a codec without the encryption key read the cookie: %+v", s)
	}
	// The same codec with the encryption key reads it: the failure above is
	// the encryption, not a wrong signing key.
	full := securecookie.New(hashKey, blockKey).SetSerializer(binarySerializer{})
	if err := full.Decode(CookieName, v, &s); err != nil || s.User != "anna" {
		t.Fatalf("the derived keys do not read the cookie: %v", err)
	}
}

func TestRejects(t *testing.T) {
	c := mustCodec(t, secretA, nil, time.Hour)
	good, err := c.Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := mustCodec(t, secretB, nil, time.Hour).Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(good)
	tampered[len(tampered)/2] ^= 0x01
	for name, v := range map[string]string{
		"other key": foreign,
		"tampered":  string(tampered),
		"empty":     "",
		"garbage":   "not-a-cookie",
		"truncated": good[:len(good)-4],
	} {
		t.Run(name, func(t *testing.T) {
			if s, err := c.Decode(v); err == nil {
				t.Fatalf("Decode accepted %s value, session %+v", name, s)
			}
		})
	}
}

func TestExpires(t *testing.T) {
	// synctest's clock lets the TTL pass without the test waiting for it.
	synctest.Test(t, func(t *testing.T) {
		c := mustCodec(t, secretA, nil, time.Minute)
		v, err := c.Encode(New("anna", "", time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Second)
		if _, err := c.Decode(v); err != nil {
			t.Fatalf("cookie rejected before its TTL: %v", err)
		}
		time.Sleep(3 * time.Second)
		if _, err := c.Decode(v); err == nil {
			t.Fatal("cookie accepted after its TTL")
		}
	})
}

func TestRotation(t *testing.T) {
	old := mustCodec(t, secretA, nil, time.Hour)
	v, err := old.Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rotated := mustCodec(t, secretB, secretA, time.Hour)
	if _, err := rotated.Decode(v); err != nil {
		t.Fatalf("cookie made with the previous secret rejected during rotation: %v", err)
	}
	nv, err := rotated.Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustCodec(t, secretB, nil, time.Hour).Decode(nv); err != nil {
		t.Fatalf("new cookies must be made with the new secret: %v", err)
	}
	if _, err := mustCodec(t, secretB, nil, time.Hour).Decode(v); err == nil {
		t.Fatal("old cookie accepted once the previous secret is dropped")
	}
}

func BenchmarkDecode(b *testing.B) {
	c := mustCodec(b, secretA, nil, time.Hour)
	v, _ := c.Encode(New("anna", "", time.Now()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(v); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecode: no cookie value, however made, panics the codec or passes
// as a session other than the one the codec (or, during a rotation, the
// previous key) made. (Every fuzz worker makes its own cookie values, with
// new random IVs; the session in them is the same.)
func FuzzDecode(f *testing.F) {
	c := mustCodec(f, secretA, secretB, time.Hour)
	made := Session{User: "anna", ID: "fixed-id", Issued: time.Now().UnixNano(), Seen: time.Now().UnixNano(), Stamp: "stamp"}
	good, err := c.Encode(made)
	if err != nil {
		f.Fatal(err)
	}
	previous, _ := mustCodec(f, secretB, nil, time.Hour).Encode(made)
	for _, seed := range []string{good, previous, "", "garbage", good[:len(good)/2], good + "x", "MTIzfHh8eQ=="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		s, err := c.Decode(value)
		if err == nil && (s.User != made.User || s.ID != made.ID || s.Stamp != made.Stamp) {
			t.Fatalf("a value the codec did not make passed: %q → %+v", value, s)
		}
	})
}

func TestBinaryRoundTrip(t *testing.T) {
	in := Session{User: "Jürgen", ID: "abc", Issued: 1795794919, Seen: -5, Stamp: ""}
	b, err := binarySerializer{}.Serialize(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Session
	if err := (binarySerializer{}).Deserialize(b, &out); err != nil || out != in {
		t.Fatalf("%+v %v", out, err)
	}
	for i := range len(b) { // every truncation is refused
		if err := (binarySerializer{}).Deserialize(b[:i], &out); err == nil {
			t.Errorf("truncated to %d bytes: accepted", i)
		}
	}
	if err := (binarySerializer{}).Deserialize(append(b, 0), &out); err == nil {
		t.Error("trailing byte accepted")
	}
	if err := (binarySerializer{}).Deserialize([]byte{formatV1, 0xff, 0xff, 0xff, 0xff, 0x0f}, &out); err == nil {
		t.Error("a length past the end accepted")
	}
}

// Values securecookie makes with the derived keys (the format's other
// writer, and the one that made the cookies in browsers before) are read,
// during a rotation too, and values the codec makes are read by it
// (TestEncrypted); its own refusals are refused.
func TestSecurecookieFormat(t *testing.T) {
	made := Session{User: "anna", ID: "id-1", Issued: time.Now().UnixNano(), Seen: time.Now().UnixNano(), Stamp: "s"}
	lib := func(secret []byte) *securecookie.SecureCookie {
		hashKey, blockKey, err := keys(secret, "/report")
		if err != nil {
			t.Fatal(err)
		}
		return securecookie.New(hashKey, blockKey).SetSerializer(binarySerializer{}).MaxAge(3600)
	}
	for _, secret := range [][]byte{secretA, secretB} {
		v, err := lib(secret).Encode(CookieName, made)
		if err != nil {
			t.Fatal(err)
		}
		s, err := mustCodec(t, secretA, secretB, time.Hour).Decode(v)
		if err != nil || s != made {
			t.Fatalf("securecookie's value: %+v, %v", s, err)
		}
		if other, _ := lib(secret).Encode("other", made); other != "" {
			if _, err := mustCodec(t, secretA, secretB, time.Hour).Decode(other); err == nil {
				t.Fatal("a value made for another cookie name was read")
			}
		}
	}
	v, err := mustCodec(t, secretB, secretA, time.Hour).Encode(made)
	if err != nil {
		t.Fatal(err)
	}
	var s Session
	if err := lib(secretB).Decode(CookieName, v, &s); err != nil || s != made {
		t.Fatalf("securecookie reading the codec's value: %+v, %v", s, err)
	}
	if err := lib(secretA).Decode(CookieName, v, &s); err == nil {
		t.Fatal("securecookie read a value of another key")
	}
	if _, err := mustCodec(t, secretA, nil, time.Hour).Decode(strings.Repeat("A", maxLength+1)); err == nil {
		t.Fatal("a value over the length limit read")
	}
}

// A cookie of one scope (base path) is nothing in another, with the same
// secret.
func TestScoped(t *testing.T) {
	a, err := NewCodec(secretA, nil, "/a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewCodec(secretA, nil, "/b", time.Hour)
	v, err := a.Encode(New("anna", "", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Decode(v); err != nil {
		t.Fatalf("its own scope: %v", err)
	}
	if s, err := b.Decode(v); err == nil {
		t.Fatalf("another scope read the cookie: %+v", s)
	}
}
