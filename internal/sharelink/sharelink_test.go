package sharelink

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formgate/formgate/internal/session"
)

var (
	secretA = bytes.Repeat([]byte("k"), 32)
	secretB = bytes.Repeat([]byte("z"), 32)
)

func mustCodec(t testing.TB, secret []byte) *Codec {
	t.Helper()
	return mustScoped(t, secret, "/report")
}

func mustScoped(t testing.TB, secret []byte, scope string) *Codec {
	t.Helper()
	c, err := NewCodec(secret, scope)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ValidID takes a link's ID and nothing else.
func TestValidID(t *testing.T) {
	l := mustLink(t, mustCodec(t, secretA), "anna", "stamp", time.Now().Add(time.Hour))
	if !ValidID(l.ID) {
		t.Fatalf("%q refused", l.ID)
	}
	for _, id := range []string{"", l.ID[:11], l.ID + "A", "abc+defghijk", "abc/defghijk", "abcdefghijk=", strings.Repeat("é", 6)} {
		if ValidID(id) {
			t.Errorf("%q taken as an ID", id)
		}
	}
}

// A link made for one base path does not open another that has the same
// secret (two gates of one program, a copied secret).
func TestScope(t *testing.T) {
	a, b := mustScoped(t, secretA, "/a"), mustScoped(t, secretA, "/b")
	tok := a.Encode(mustLink(t, a, "anna", "stamp", time.Now().Add(time.Hour)))
	if _, err := a.Decode(tok, time.Now()); err != nil {
		t.Fatalf("own scope: %v", err)
	}
	if _, err := b.Decode(tok, time.Now()); !errors.Is(err, ErrForged) {
		t.Fatalf("another scope: %v, want ErrForged", err)
	}
}

func mustLink(t testing.TB, c *Codec, user, stamp string, expires time.Time) Link {
	t.Helper()
	l, err := c.New(user, stamp, expires)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRoundTrip(t *testing.T) {
	c := mustCodec(t, secretA)
	now := time.Now()
	for _, user := range []string{"anna", "Jürgen", "a", strings.Repeat("x", MaxUserLen)} {
		l := mustLink(t, c, user, "stamp", now.Add(24*time.Hour))
		token := c.Encode(l)
		got, err := c.Decode(token, now)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if got.ID != l.ID || got.User != user || !got.Expires.Equal(l.Expires) || !c.Made(got, "stamp") {
			t.Fatalf("%s: decoded %+v, made %+v", user, got, l)
		}
		if len(token) > MaxTokenLen {
			t.Errorf("%s: token of %d characters, over MaxTokenLen %d", user, len(token), MaxTokenLen)
		}
	}
	// Each link has an id of its own.
	a, b := mustLink(t, c, "anna", "", now.Add(time.Hour)), mustLink(t, c, "anna", "", now.Add(time.Hour))
	if a.ID == b.ID || len(a.ID) != 12 {
		t.Errorf("ids %q and %q: want two different ones of 12 characters", a.ID, b.ID)
	}
}

// The figure the README gives: a link of a short user name is 56
// characters of token.
func TestTokenLength(t *testing.T) {
	c := mustCodec(t, secretA)
	token := c.Encode(mustLink(t, c, "anna", "stamp", time.Now().Add(time.Hour)))
	if len(token) != 56 {
		t.Fatalf("token of %d characters for user anna, want 56 (update the README)", len(token))
	}
}

func TestNewRefuses(t *testing.T) {
	c := mustCodec(t, secretA)
	for name, tt := range map[string]struct {
		user    string
		expires time.Time
	}{
		"empty user":         {"", time.Now().Add(time.Hour)},
		"user too long":      {strings.Repeat("x", MaxUserLen+1), time.Now().Add(time.Hour)},
		"expiry after 2106":  {"anna", time.Unix(1<<32, 0)},
		"expiry before 1970": {"anna", time.Unix(-5, 0)},
	} {
		if _, err := c.New(tt.user, "", tt.expires); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

// synctest's clock lets the lifetime pass without the test waiting.
func TestExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := mustCodec(t, secretA)
		l := mustLink(t, c, "anna", "", time.Now().Add(time.Hour))
		token := c.Encode(l)
		time.Sleep(time.Hour - time.Second)
		if _, err := c.Decode(token, time.Now()); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		time.Sleep(time.Second)
		got, err := c.Decode(token, time.Now())
		if !errors.Is(err, ErrExpired) || got.ID != l.ID || got.User != "anna" {
			t.Fatalf("at expiry: %v, %+v (want ErrExpired with the link, for the log)", err, got)
		}
	})
}

// Every single-character change is refused, and so is every cut: a flip
// anywhere is either not base64url, not this version, or not the tag.
func TestTamper(t *testing.T) {
	c := mustCodec(t, secretA)
	now := time.Now()
	token := c.Encode(mustLink(t, c, "anna", "s", now.Add(time.Hour)))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(token) {
		for _, r := range alphabet {
			if byte(r) == token[i] {
				continue
			}
			changed := token[:i] + string(r) + token[i+1:]
			if _, err := c.Decode(changed, now); !errors.Is(err, ErrForged) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("character %d changed to %c: %v", i, r, err)
			}
		}
	}
	for i := range len(token) {
		if _, err := c.Decode(token[:i], now); err == nil {
			t.Fatalf("cut to %d characters: accepted", i)
		}
	}
	if _, err := c.Decode(token+"A", now); err == nil {
		t.Fatal("a character added: accepted")
	}
}

// A link of another key (another deployment, or before a rotation) is
// ErrForged: only the current secret verifies.
func TestForeignKey(t *testing.T) {
	a, b := mustCodec(t, secretA), mustCodec(t, secretB)
	now := time.Now()
	if _, err := a.Decode(b.Encode(mustLink(t, b, "anna", "", now.Add(time.Hour))), now); !errors.Is(err, ErrForged) {
		t.Fatalf("a link of another secret: %v, want ErrForged", err)
	}
}

// A session cookie value, made with the same secret, is no link (and the
// gate's tests check the other way round).
func TestSessionCookieIsNoLink(t *testing.T) {
	sc, err := session.NewCodec(secretA, nil, "/report", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sc.Encode(session.New("anna", "s", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustCodec(t, secretA).Decode(v, time.Now()); err == nil {
		t.Fatal("a session cookie passed as a link")
	}
	c := mustCodec(t, secretA)
	if _, err := sc.Decode(c.Encode(mustLink(t, c, "anna", "s", time.Now().Add(time.Hour)))); err == nil {
		t.Fatal("a link passed as a session cookie")
	}
}

// The link is bound to the maker's credential stamp, which is not in the
// token itself: a stamp is a plain hash of the password.
func TestStampBinding(t *testing.T) {
	c := mustCodec(t, secretA)
	stamp := "the-credential-stamp"
	l := mustLink(t, c, "anna", stamp, time.Now().Add(time.Hour))
	if !c.Made(l, stamp) || c.Made(l, "another stamp") || c.Made(l, "") {
		t.Fatal("Made does not tell the maker's stamp from others")
	}
	raw, _ := enc.DecodeString(c.Encode(l))
	if bytes.Contains(raw, []byte(stamp)) {
		t.Fatal("the stamp is in the token")
	}
	// The same stamp under another key gives another digest: the digest is
	// keyed.
	if mustCodec(t, secretB).Made(l, stamp) {
		t.Fatal("the stamp digest is not keyed")
	}
}

// testdata/token-v1.txt is a token of version 1, made with secretA and
// scope /report for anna until 2100: tokens in people's chats must keep decoding as long as
// the format is version 1.
func TestFormatV1(t *testing.T) {
	b, err := os.ReadFile("testdata/token-v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := mustCodec(t, secretA).Decode(strings.TrimSpace(string(b)), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l.User != "anna" || !l.Expires.Equal(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) || l.ID != "c2hhcmUtbGlu" || !mustCodec(t, secretA).Made(l, "stamp") {
		t.Fatalf("decoded %+v", l)
	}
}

func BenchmarkDecode(b *testing.B) {
	c := mustCodec(b, secretA)
	now := time.Now()
	token := c.Encode(mustLink(b, c, "anna", "stamp", now.Add(time.Hour)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(token, now); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecode: no string panics Decode, and none passes that the codec did
// not make: a token that decodes is the seed's link. (Its id is fixed:
// every fuzz worker makes the seed again.)
func FuzzDecode(f *testing.F) {
	c := mustCodec(f, secretA)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	made := mustLink(f, c, "anna", "stamp", now.Add(time.Hour))
	copy(made.id[:], "fuzz-seed")
	made.ID = enc.EncodeToString(made.id[:])
	good := c.Encode(made)
	other := mustCodec(f, secretB)
	for _, seed := range []string{good, other.Encode(made), "", "garbage", good[:len(good)/2], good + "x", strings.Repeat("A", MaxTokenLen+4), "AQ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		l, err := c.Decode(token, now)
		if err == nil && (l.ID != made.ID || l.User != made.User || !l.Expires.Equal(made.Expires)) {
			t.Fatalf("a token the codec did not make passed: %q → %+v", token, l)
		}
	})
}
