// Package jsonstr writes a Go string as a JSON string, byte for byte as
// encoding/json does without its HTML escaping. encoding/json offers that
// only through Marshal, which allocates per string: the report's JSON
// (a string per cell) and the Lambda adapter's responses write many.
// FuzzAppend holds it to encoding/json.
package jsonstr

import "unicode/utf8"

// Append appends s as encoding/json's string without HTML escaping: " and \
// and control characters escaped, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped for JavaScript.
func Append(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if asIs[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// asIs are the bytes Append copies as they are: printable ASCII
// but " and \.
var asIs = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Plain reports a byte a JSON string holds as it is, unescaped: printable
// ASCII but " and \ (a scanner of JSON strings skips over these).
func Plain(c byte) bool { return asIs[c] }
