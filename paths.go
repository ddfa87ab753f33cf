package formgate

import (
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/formgate/formgate/internal/frontdoor"
)

// RoutePrefix is the part of the URL space below the base path that the
// gate keeps for its own routes — logout, logout-everywhere (with
// Options.Revocations), share and share/… (with Options.ShareLinks),
// tokens and tokens/… (with Options.Tokens):
// BasePath + "/_formgate/…" never reaches the wrapped handler, everything
// else under the base path does. The underscore name keeps it out of the way of an
// application's own routes, and it is fixed, so every deployment and every
// client knows it.
const RoutePrefix = "/_formgate/"

// under reports whether path is base itself or below it. A base of "/"
// covers every path.
func under(path, base string) bool {
	if base == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == base || strings.HasPrefix(path, base) && path[len(base)] == '/'
}

// dotSegment reports whether path has a "." or ".." segment. Browsers
// resolve them before they send a path; a path that still has them is
// made by hand, and a handler that cleans paths could take it outside the
// base path after the gate said yes.
func dotSegment(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// ref is relativeRef, remembered: a page asks for the same few (logout,
// share, …) from the same path on every request, and working one out
// takes a dozen allocations. Any path can be asked for, so at most maxRefs
// short ones are kept per gate; past that the memory starts over.
func (g *Gate) ref(from, to string) string {
	short := len(from)+len(to) <= maxRefLen
	m := g.refs.Load()
	if m != nil && short {
		if ref, ok := (*m)[refKey{from, to}]; ok {
			return ref
		}
	}
	ref := relativeRef(from, to)
	if short {
		next := make(map[refKey]string, 8)
		if m != nil && len(*m) < maxRefs {
			maps.Copy(next, *m)
		}
		next[refKey{from, to}] = ref
		g.refs.Store(&next)
	}
	return ref
}

type refKey struct{ from, to string }

const (
	maxRefs   = 64
	maxRefLen = 512
)

// relativeRef is a relative URL reference that, resolved against a
// document at path from, names the path to (both absolute, as the function
// sees them). Relative references keep working whatever an API Gateway
// stage or a CloudFront path puts in front of the paths the function sees.
func relativeRef(from, to string) string {
	if !strings.HasPrefix(from, "/") {
		from = "/" + from
	}
	dir := strings.Split(from[:strings.LastIndexByte(from, '/')+1], "/") // "/a/b/" → "", "a", "b", ""
	dir = dir[1 : len(dir)-1]
	target := strings.Split(to, "/")[1:]
	common := 0
	for common < len(dir) && common < len(target)-1 && dir[common] == target[common] {
		common++
	}
	rest := target[common:]
	for i, seg := range rest {
		// Escaped, so that no character of a (decoded) path can change
		// what the reference means: a backslash would make \\evil.com a
		// host to browsers, a ? or # would start a query or fragment.
		rest[i] = url.PathEscape(seg)
	}
	ref := strings.Repeat("../", len(dir)-common) + strings.Join(rest, "/")
	if ref == "" || strings.HasPrefix(ref, "/") {
		return "./" + ref
	}
	if first, _, _ := strings.Cut(ref, "/"); strings.Contains(first, ":") {
		return "./" + ref // "a:b" would read as a URL scheme
	}
	return ref
}

// PublicPath is the path a client uses for p, a path as the handler sees
// them (like r.URL.Path): behind an API Gateway stage, the stage in front
// ("/dev" + p); elsewhere p itself. For links a page must write as
// absolute paths: relative links need nothing, and package lambdaproxy
// puts the stage in front of a Location the handler writes as an absolute
// path (http.Redirect, ServeMux's own redirects).
func PublicPath(r *http.Request, p string) string {
	return frontdoor.From(r.Context()).Prefix + p
}
