package htpasswd

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func load(t testing.TB) *Users {
	t.Helper()
	u, err := ParseFile("testdata/users.htpasswd")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCheck(t *testing.T) {
	u := load(t)
	ctx := context.Background()
	for _, tt := range []struct {
		user, pass string
		ok         bool
	}{
		{"anna", "correct horse", true},
		{"anna", "correct horse ", false},
		{"bob", "bob's pässwörd", true},
		{"bob", "bob's passwort", false},
		{"zoë", "zoë secret", true},
		{"zoë", "zoe secret", false},
		{"nobody", "correct horse", false},
		{"Anna", "correct horse", false},
		{"", "", false},
	} {
		for range 2 { // the second time from the cache, where it was a yes
			got, ok, err := u.Check(ctx, tt.user, tt.pass)
			if err != nil || ok != tt.ok || ok && (got.Name != tt.user || got.Stamp == "") {
				t.Errorf("Check(%q, %q) = %+v %v %v, want ok=%v", tt.user, tt.pass, got, ok, err, tt.ok)
			}
		}
	}
	if got, ok, _ := u.Lookup(ctx, "bob"); !ok || got.Name != "bob" {
		t.Errorf("Lookup(bob) = %+v %v", got, ok)
	}
	if _, ok, _ := u.Lookup(ctx, "nobody"); ok {
		t.Error("Lookup(nobody) found someone")
	}
}

// A new hash for a user gives another stamp, so sessions made under the
// old one end; the same line gives the same stamp in every process.
func TestStamp(t *testing.T) {
	a, _ := Parse(strings.NewReader("bob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.\n"))
	b, _ := Parse(strings.NewReader("bob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.\n"))
	h, _ := HashBcrypt("bob's pässwörd", 4)
	c, _ := Parse(strings.NewReader("bob:" + h + "\n"))
	sa, _, _ := a.Lookup(context.Background(), "bob")
	sb, _, _ := b.Lookup(context.Background(), "bob")
	sc, _, _ := c.Lookup(context.Background(), "bob")
	if sa.Stamp != sb.Stamp || sa.Stamp == sc.Stamp {
		t.Fatalf("stamps: same line %q %q, new hash %q", sa.Stamp, sb.Stamp, sc.Stamp)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"sha", "anna:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", []string{"line 1 (user \"anna\"): {SHA} (SHA-1) hashes are refused", "go run ./cmd/hash-password anna"}},
		{"apr1", "# users\n\nanna:$apr1$abc$def", []string{"line 3 (user \"anna\"): $apr1$"}},
		{"crypt", "anna:$6$salt$hash", []string{"crypt hashes"}},
		{"plain", "anna:correct horse", []string{"not a bcrypt or argon2id hash"}},
		{"argon2i", "anna:$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", []string{"use argon2id"}},
		{"bad bcrypt", "anna:$2a$10$short", []string{"bcrypt hash is malformed"}},
		{"bad argon2id", "anna:$argon2id$v=19$m=x$a$b", []string{"argon2id hash is malformed"}},
		{"huge argon2id", "anna:$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", []string{"asks for too much"}},
		{"endless argon2id", "anna:$argon2id$v=19$m=1024,t=4294967295,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", []string{"asks for too much"}},
		{"argon2id twice m", "anna:$argon2id$v=19$m=8,t=1,m=1048576$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", []string{"malformed"}},
		{"bcrypt cut short", "bob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10", []string{"60 characters"}},
		{"bcrypt cost 31", "bob:$2a$31$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.", []string{"cost 31 is above 14"}},
		{"hash first", "$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.:bob", []string{"line 1: this does not look like a user name"}},
		{"space in name", "bob :$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.", []string{"spaces around it"}},
		{"line too long", "bob:" + strings.Repeat("x", 70000), []string{"line 1: bufio.Scanner: token too long"}},
		{"no colon", "anna", []string{"line 1: no ':'"}},
		{"empty user", ":$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.", []string{"line 1: the user name is empty"}},
		{"twice", "bob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.\nbob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.", []string{"line 2: user \"bob\" is already on line 1"}},
		{"empty", "# nobody\n", []string{"no users"}},
		{"every bad line", "a:x\nb:{SHA}y\n", []string{"line 1", "line 2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			// No hash (or password) is quoted back, whichever side it is on.
			for _, line := range strings.Split(tt.in, "\n") {
				for _, part := range strings.SplitN(line, ":", 2) {
					if strings.Contains(part, "$") && strings.Contains(err.Error(), part) {
						t.Errorf("error quotes a hash: %q", err)
					}
				}
			}
		})
	}
	if _, err := ParseFile("testdata/missing"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestHashRoundTrip(t *testing.T) {
	b, err := HashBcrypt("pässwörd", 4)
	if err != nil {
		t.Fatal(err)
	}
	a := HashArgon2id("pässwörd", Argon2Params{Memory: 64, Time: 1, Threads: 1})
	u, err := Parse(strings.NewReader("b:" + b + "\na:" + a + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, ok, _ := u.Check(context.Background(), name, "pässwörd"); !ok {
			t.Errorf("%s: the hash made here does not check", name)
		}
		if _, ok, _ := u.Check(context.Background(), name, "passwörd"); ok {
			t.Errorf("%s: a wrong password checks", name)
		}
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("argon2id format: %s", a)
	}
}

// Remembered credentials expire, and the cache stays bounded.
func TestCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCache(3, time.Minute)
		k := c.key("anna", "pw", "stamp")
		if k == c.key("anna", "pw", "other stamp") || k == c.key("ann", "apw", "stamp") {
			t.Fatal("keys of different inputs collide")
		}
		c.add(k)
		if !c.has(k) {
			t.Fatal("just added, missing")
		}
		time.Sleep(61 * time.Second)
		if c.has(k) {
			t.Fatal("still there after its TTL")
		}
		for i := range 10 {
			c.add(c.key("u", string(rune('a'+i)), ""))
		}
		if len(c.entries) > 3 {
			t.Fatalf("%d entries, max 3", len(c.entries))
		}
	})
}

// A file saved with a byte-order mark reads the same.
func TestParseBOM(t *testing.T) {
	u, err := Parse(strings.NewReader("\ufeffbob:$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := u.Lookup(context.Background(), "bob"); !ok {
		t.Fatal("bob lost to the byte-order mark")
	}
}

// An unknown name is checked against one of the users' hashes, the same
// one each time: across many names, every user's kind and cost comes up.
func TestUnknownNamesSpread(t *testing.T) {
	u := load(t)
	seen := map[int]bool{}
	for i := range 200 {
		name := fmt.Sprintf("nobody-%d", i)
		k := u.cache.pick(name, len(u.order))
		if k != u.cache.pick(name, len(u.order)) {
			t.Fatal("the pick for a name changes")
		}
		seen[k] = true
	}
	if len(seen) != len(u.order) {
		t.Fatalf("unknown names fell on %d of %d users", len(seen), len(u.order))
	}
}

// At most GOMAXPROCS hash checks run at once; one waiting for a slot ends
// with its context.
func TestCheckSlots(t *testing.T) {
	u := load(t)
	for range cap(u.slots) {
		u.slots <- struct{}{} // every slot taken
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, ok, err := u.Check(ctx, "anna", "correct horse"); ok || err == nil {
		t.Fatalf("check without a free slot: ok=%v err=%v", ok, err)
	}
}
