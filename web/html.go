package web

import (
	"strconv"
	"strings"
)

// html is a page being written, with the escaping html/template would
// apply in each of the places the pages put a value (see pages.go).
type html []byte

// raw appends s as it is: the page's own markup.
func (h *html) raw(s string) { *h = append(*h, s...) }

// text appends s as element text, an attribute value in double quotes or
// a title: html/template's htmlEscaper, attrEscaper and rcdataEscaper,
// which agree for plain strings. NUL becomes U+FFFD; the five characters
// that could end the text or the attribute, and +, become references;
// every other byte (invalid UTF-8 too) is kept.
func (h *html) text(s string) {
	b := *h
	last := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		b = append(append(b, s[last:i]...), repl...)
		last = i + 1
	}
	*h = append(b, s[last:]...)
}

// int appends n in decimal (no character of it needs escaping).
func (h *html) int(n int) { *h = strconv.AppendInt(*h, int64(n), 10) }

// url appends s as a URL attribute's whole value (action, href):
// html/template's urlFilter (a scheme other than http, https or mailto
// becomes "#ZgotmplZ"), urlNormalizer (bytes that may not appear in a URL
// percent-encoded; %XX kept) and attrEscaper.
func (h *html) url(s string) {
	if !safeURL(s) {
		h.raw("#ZgotmplZ")
		return
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlKeeps(c) || c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteByte('%')
		b.WriteByte(lowerHex[c>>4])
		b.WriteByte(lowerHex[c&15])
		last = i + 1
	}
	if last == 0 {
		h.text(s)
		return
	}
	b.WriteString(s[last:])
	h.text(b.String())
}

const lowerHex = "0123456789abcdef"

// safeURL is html/template's isSafeURL: no scheme, or http, https or
// mailto.
func safeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		return strings.EqualFold(protocol, "http") || strings.EqualFold(protocol, "https") || strings.EqualFold(protocol, "mailto")
	}
	return true
}

// urlKeeps reports the bytes urlNormalizer leaves as they are: unreserved
// and reserved characters.
func urlKeeps(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
