package apitoken

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen bounds a token's name, in characters.
const MaxNameLen = 64

// CheckName says what is wrong with a token's name, if anything: it must
// have 1 to MaxNameLen characters of valid UTF-8, none of them a control
// character (a name goes into log lines and pages).
func CheckName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("the name is empty: give the token a name that says where it is used, e.g. ci or nightly-export")
	case !utf8.ValidString(name):
		return errors.New("the name is not valid UTF-8")
	case n > MaxNameLen:
		return fmt.Errorf("the name has %d characters: use at most %d", n, MaxNameLen)
	case strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("the name holds a control character (a line break, a tab)")
	case strings.Contains(name, Prefix):
		// A token pasted into the name would be kept and shown in clear.
		return errors.New("the name looks like a token (fgt_…): name it after where it is used")
	}
	return nil
}

// ExpiryLayout is an expiry in a tokens file: ISO 8601 basic format in
// UTC, without the colons that separate the fields.
const ExpiryLayout = "20060102T150405Z"

// Line is one line of a tokens file (AUTH_TOKENS_FILE):
//
//	id:user:name:hash:expiry
//
// with the SHA-256 of the token in lower-case hex (what `printf %s "$TOKEN"
// | sha256sum` prints) and the expiry in ExpiryLayout. The name may hold
// colons: id and user are read from the left, hash and expiry from the
// right.
type Line struct {
	ID, User, Name string
	Hash           Hash
	Expires        time.Time
}

// String is the line, without a line break.
func (l Line) String() string {
	return l.ID + ":" + l.User + ":" + l.Name + ":" + hex.EncodeToString(l.Hash[:]) + ":" + l.Expires.UTC().Format(ExpiryLayout)
}

// ParseLine reads one line. Its errors say which field is wrong and never
// quote the line (a token pasted by mistake must not reach a log).
func ParseLine(s string) (Line, error) {
	f := strings.Split(s, ":")
	for _, field := range f {
		if _, err := Parse(strings.TrimSpace(field)); err == nil {
			return Line{}, errors.New("it holds a token (fgt_…), not its hash: a token never goes into the file; make the line with hash-password -token")
		}
	}
	if len(f) < 5 {
		return Line{}, fmt.Errorf("it has %d fields: want id:user:name:hash:expiry", len(f))
	}
	l := Line{ID: f[0], User: f[1], Name: strings.Join(f[2:len(f)-2], ":")}
	hash, expiry := f[len(f)-2], f[len(f)-1]
	if !ValidID(l.ID) {
		return Line{}, fmt.Errorf("the id is not %d base64url characters", IDChars)
	}
	if l.User == "" {
		return Line{}, errors.New("the user name is empty")
	}
	if err := CheckName(l.Name); err != nil {
		return Line{}, err
	}
	if b, err := hex.DecodeString(hash); err != nil || len(b) != len(l.Hash) {
		return Line{}, errors.New("the hash is not a SHA-256 in hex (64 characters)")
	} else {
		copy(l.Hash[:], b)
	}
	t, err := time.Parse(ExpiryLayout, expiry)
	if err != nil {
		return Line{}, fmt.Errorf("the expiry is not a UTC time such as %s", ExpiryLayout)
	}
	l.Expires = t
	return l, nil
}
