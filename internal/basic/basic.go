// Package basic reads Basic credentials (RFC 7617). The gate and the API
// Gateway authorizer both use it, so both accept exactly the same headers.
package basic

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// Parse reads Basic credentials from an Authorization header value. The
// bytes are read as UTF-8 (RFC 7617's charset="UTF-8", what browsers and
// curl send); when they are not valid UTF-8 they are read as ISO-8859-1,
// which older clients use — Python requests, JavaScript's btoa() — so
// "pässwörd" means the same from either.
func Parse(header string) (username, password string, ok bool) {
	const prefix = "Basic "
	// The scheme name is case-insensitive (RFC 9110 11.1).
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	text := string(raw)
	if !utf8.Valid(raw) {
		text = latin1(raw)
	}
	username, password, ok = strings.Cut(text, ":")
	if !ok {
		return "", "", false
	}
	return username, password, true
}

// latin1 decodes ISO-8859-1: each byte is the code point of its value.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
