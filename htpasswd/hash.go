package htpasswd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// A verifier checks a password against one stored hash.
type verifier interface {
	verify(password string) bool
}

// DefaultBcryptCost is the bcrypt cost cmd/hash-password uses: 10, about
// 57 ms a check on one core of a current x86 server, about 0.4 s at the
// CPU share of a 256 MB Lambda function (a seventh of a vCPU).
const DefaultBcryptCost = 10

// Limits on what a stored hash may ask for: each check costs that much
// CPU (bcrypt doubles per cost step; 14 is about 1 s on one core) or
// memory (argon2id m, KiB), for every login, and for unknown user names
// too.
const (
	MaxBcryptCost    = 14
	MaxArgon2Memory  = 256 << 10 // KiB: 256 MiB
	MaxArgon2Time    = 16
	MaxArgon2Threads = 16
)

// Argon2Params are argon2id's parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultArgon2 is what cmd/hash-password -argon2id uses: OWASP's first
// recommendation (19 MiB, two passes, one thread): about 23 ms a check on
// one core, 0.16 s at a 256 MB Lambda's CPU share, and 19 MiB of memory,
// a small part of the smallest function.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// HashBcrypt returns the bcrypt hash of password ($2a$).
func HashBcrypt(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(h), err
}

// HashArgon2id returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=…,t=…,p=…$salt$hash), with a random 16-byte
// salt and a 32-byte key.
func HashArgon2id(password string, p Argon2Params) string {
	salt := make([]byte, 16)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// CheckHash reports what is wrong with a stored hash, nil when it is a
// bcrypt or argon2id hash formgate takes. The error never quotes it.
func CheckHash(h string) error {
	_, err := parseHash(h)
	return err
}

// parseHash reads a stored hash. Its errors say what the format is and
// why it is refused, never the hash itself.
func parseHash(h string) (verifier, error) {
	if strings.HasPrefix(h, "$") && strings.ContainsAny(h, " \t") {
		return nil, errors.New("the hash has a space in it: one user:hash per line (in YAML, a | block keeps the line breaks)")
	}
	switch {
	case strings.HasPrefix(h, "$2a$"), strings.HasPrefix(h, "$2b$"), strings.HasPrefix(h, "$2y$"):
		cost, err := bcrypt.Cost([]byte(h))
		switch {
		case err != nil || len(h) != 60:
			return nil, errors.New("the bcrypt hash is malformed (a bcrypt hash is 60 characters)")
		case cost > MaxBcryptCost:
			return nil, fmt.Errorf("the bcrypt cost %d is above %d: one check would take minutes", cost, MaxBcryptCost)
		}
		return bcryptHash(h), nil
	case strings.HasPrefix(h, "$argon2id$"):
		return parseArgon2id(h)
	case strings.HasPrefix(h, "$argon2i$"), strings.HasPrefix(h, "$argon2d$"):
		return nil, errors.New("argon2i and argon2d hashes are refused: use argon2id")
	case strings.HasPrefix(h, "{SHA}"):
		return nil, errors.New("{SHA} (SHA-1) hashes are refused: they are fast to guess")
	case strings.HasPrefix(h, "$apr1$"):
		return nil, errors.New("$apr1$ (Apache MD5) hashes are refused: they are fast to guess")
	case strings.HasPrefix(h, "$1$"), strings.HasPrefix(h, "$5$"), strings.HasPrefix(h, "$6$"):
		return nil, errors.New("crypt hashes ($1$, $5$, $6$) are refused: use bcrypt or argon2id")
	case h == "":
		return nil, errors.New("the hash is empty")
	}
	return nil, errors.New("this is not a bcrypt or argon2id hash (a plain-text password? or a hash whose $ signs a shell expanded: quote it with single quotes) and is refused")
}

type bcryptHash []byte

func (b bcryptHash) verify(password string) bool {
	return bcrypt.CompareHashAndPassword(b, []byte(password)) == nil
}

type argon2idHash struct {
	p         Argon2Params
	salt, key []byte
}

// parseArgon2id reads the PHC string format. No library in x/crypto reads
// it, and it is five fields.
func parseArgon2id(h string) (verifier, error) {
	bad := errors.New("the argon2id hash is malformed: want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	parts := strings.Split(h, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, bad
	}
	var a argon2idHash
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		if seen[k] {
			return nil, bad
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, bad
		}
		switch k {
		case "m":
			a.p.Memory = uint32(n)
		case "t":
			a.p.Time = uint32(n)
		case "p":
			if n > 255 {
				return nil, bad
			}
			a.p.Threads = uint8(n)
		default:
			return nil, bad
		}
	}
	var err1, err2 error
	a.salt, err1 = base64.RawStdEncoding.DecodeString(parts[4])
	a.key, err2 = base64.RawStdEncoding.DecodeString(parts[5])
	switch {
	case err1 != nil || err2 != nil || len(a.salt) < 8 || len(a.key) < 16:
		return nil, bad
	case a.p.Time < 1 || a.p.Threads < 1 || a.p.Memory < 8*uint32(a.p.Threads):
		return nil, bad
	case len(seen) != 3:
		return nil, bad
	case a.p.Memory > MaxArgon2Memory || a.p.Time > MaxArgon2Time || a.p.Threads > MaxArgon2Threads:
		// Each check holds m KiB for t passes: more would not leave a Lambda
		// function room for anything else.
		return nil, fmt.Errorf("the argon2id hash asks for too much: at most m=%d (256 MiB), t=%d, p=%d", MaxArgon2Memory, MaxArgon2Time, MaxArgon2Threads)
	}
	return a, nil
}

func (a argon2idHash) verify(password string) bool {
	key := argon2.IDKey([]byte(password), a.salt, a.p.Time, a.p.Memory, a.p.Threads, uint32(len(a.key)))
	return subtle.ConstantTimeCompare(key, a.key) == 1 // constant time: no early exit on the first wrong byte
}
