package report

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/formgate/formgate/internal/accept"
)

// Formats the report is served in.
const (
	FormatHTML = "html"
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// formats are the formats with their media types, in the order the
// server prefers them when a client likes them equally.
var formats = []struct{ name, media string }{
	{FormatHTML, "text/html"}, {FormatJSON, "application/json"}, {FormatCSV, "text/csv"},
}

// media is formats' media types, for accept.Negotiate.
var media = func() []string {
	m := make([]string, len(formats))
	for i, f := range formats {
		m[i] = f.media
	}
	return m
}()

// errNotAcceptable says what is on offer, for a 406.
var errNotAcceptable = errors.New("406 Not Acceptable: this report is text/html, application/json or text/csv (or ask with ?format=html, json or csv)")

// negotiate picks the report format: ?format= (any case) wins, then the
// Accept header with its q-values and wildcards, HTML when there is none.
// An unknown ?format= is an error, and so is an Accept header that takes
// none of the three.
func (rp *Report) negotiate(r *http.Request) (string, error) {
	asked := strings.ToLower(query(r, "format"))
	chosen := ""
	if asked == "" {
		chosen = rp.chosenMedia.get(r.Header.Values("Accept"), func(h []string) string { return accept.Negotiate(h, media...) })
	}
	for _, f := range formats {
		if f.name == asked || f.media == chosen {
			return f.name, nil
		}
	}
	if asked != "" {
		return "", fmt.Errorf("unknown format %q: use html, json or csv", asked)
	}
	return "", errNotAcceptable
}

// query is r's query parameter key, without parsing an empty query.
func query(r *http.Request, key string) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return r.URL.Query().Get(key)
}

// memo remembers what a header's last value decided: a client sends the
// same Accept and Accept-Encoding with every request, and reading them
// (q-values, wildcards) took longer than the rest of a kept page's
// answer. decide must depend on the header alone.
type memo[T any] struct{ last atomic.Pointer[memoEntry[T]] }

type memoEntry[T any] struct {
	header string
	v      T
}

// get is decide(values), remembered for a header of one value.
func (m *memo[T]) get(values []string, decide func([]string) T) T {
	if len(values) != 1 {
		return decide(values)
	}
	if e := m.last.Load(); e != nil && e.header == values[0] {
		return e.v
	}
	v := decide(values)
	m.last.Store(&memoEntry[T]{values[0], v})
	return v
}

// contentDisposition names the download: filename is an ASCII stand-in
// for clients that know only that; filename* carries the name itself in
// UTF-8 (RFC 6266, RFC 8187) whenever the stand-in differs.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": ascii})
	if ascii != name {
		cd += "; filename*=UTF-8''" + rfc8187(name)
	}
	return cd
}

// rfc8187 percent-encodes every byte that is not an attr-char.
func rfc8187(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
