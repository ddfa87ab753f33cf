package frontdoor

import (
	"bytes"
	"encoding/base64"
	"mime"
	"strings"
	"unicode/utf8"
)

// Binary reports whether a response body travels base64-encoded in a
// Lambda response event rather than as a JSON string: when it is
// compressed (any Content-Encoding but identity), of a type that is not
// text, or text that is not UTF-8 (in a JSON string each invalid byte
// would become U+FFFD). The adapter encodes by it, and a handler sizing
// its answer against MaxResponse counts by it (EventLen).
func Binary(contentType, contentEncoding string, body []byte) bool {
	if len(body) == 0 {
		return false
	}
	return contentEncoding != "" && !strings.EqualFold(contentEncoding, "identity") ||
		!isText(contentType) || !utf8.Valid(body)
}

// EventLen is the length body takes in a response event: base64 when it
// is Binary, else as a JSON string's content.
func EventLen(contentType, contentEncoding string, body []byte) int {
	if Binary(contentType, contentEncoding, body) {
		return base64.StdEncoding.EncodedLen(len(body))
	}
	return len(body) + Escapes(body)
}

// Escapes is how many bytes escaping UTF-8 text b in a JSON string adds,
// as encoding/json escapes it without its HTML escaping. The common ones
// are counted with bytes.Count (vectorised); the loop is for the rare
// control characters.
func Escapes(b []byte) int {
	n := 0
	for _, c := range []byte{'"', '\\', '\n', '\r', '\t'} {
		n += bytes.Count(b, []byte{c})
	}
	// U+2028 and U+2029 are escaped for JavaScript: 3 bytes become 6.
	n += 3 * (bytes.Count(b, []byte("\u2028")) + bytes.Count(b, []byte("\u2029")))
	for _, c := range b {
		switch {
		case c >= 0x20 || c == '\n' || c == '\r' || c == '\t':
		case c == '\b' || c == '\f':
			n++
		default:
			n += 5
		}
	}
	return n
}

// isText reports a UTF-8 (or ASCII) text media type.
func isText(contentType string) bool {
	switch contentType {
	case knownText[0], knownText[1], knownText[2], knownText[3]:
		return true // the types formgate answers with, known without parsing
	}
	return parsedText(contentType)
}

// knownText are the text types formgate answers with.
var knownText = [...]string{"text/html; charset=utf-8", "text/plain; charset=utf-8", "text/csv; charset=utf-8", "application/json"}

// parsedText is isText by parsing contentType.
func parsedText(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", mt == "application/xml", mt == "application/javascript",
		mt == "application/x-www-form-urlencoded", mt == "image/svg+xml",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		cs := strings.ToLower(params["charset"])
		return cs == "" || cs == "utf-8" || cs == "us-ascii"
	}
	return false
}
