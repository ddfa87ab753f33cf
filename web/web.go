// Package web holds formgate's pages, style sheet and sample report, in
// the binary so the Lambda zip needs no other file. The pages are
// written by Go code (pages.go) exactly as templates/*.html show them. The
// CSS is inlined into each page: a separate asset would need its own API
// Gateway route and its own trip through the gate.
package web

import (
	_ "embed"
	"io"
	"net/http"
)

//go:embed sample.csv
var sampleCSV string

// SampleCSV is the report shown when no CSV of the operator's is configured.
func SampleCSV() []byte { return []byte(sampleCSV) }

// LoginView is what the login page shows.
type LoginView struct {
	Title    string // heads the page and names it in the tab
	Username string // kept after a failed attempt; escaped
	Error    string
	// Action is where the form posts, relative to the page; "" posts back
	// to the page's own URL.
	Action string
	// Style replaces formgate's style sheet when set (Options.LoginCSS),
	// as it is: the operator's own, trusted as the embedded one is.
	Style string
}

// ReportView is what the report page shows.
type ReportView struct {
	Title  string
	Header []string
	// Rows are this page's rows: rows First to Last (counted from 1) of
	// Total, on page Page of Pages.
	Rows               [][]string
	Total, First, Last int
	Page, Pages        int
	// LogoutURL is where the logout button posts, relative to the page;
	// "" shows no button (Basic auth has no session to end).
	LogoutURL string
	// LogoutEverywhereURL, when set, adds a button that ends every session
	// of the user.
	LogoutEverywhereURL string
	// Share is the share-link panel (share.go); nil shows none.
	Share *ShareView
	// Tokens is the panel of tokens for scripts (tokens.go); nil shows
	// none.
	Tokens *TokensView
}

// Pages writes the HTML pages (pages.go). Get it with NewPages; it is
// safe for concurrent use.
type Pages struct{}

// NewPages returns the pages. The error is always nil: the pages are
// written by Go code, with nothing to parse (it was the templates').
func NewPages() (*Pages, error) { return &Pages{}, nil }

// css is the style sheet, inlined into every page.
//
//go:embed style.css
var css string

// Login writes the login page.
func (p *Pages) Login(w io.Writer, v LoginView) error {
	return writePage(w, "Log in · "+v.Title, style(v.Style), v.write)
}

// style is the style sheet of a page: formgate's, or the one given.
func style(own string) string {
	if own != "" {
		return own
	}
	return css
}

// Report writes the report page.
func (p *Pages) Report(w io.Writer, v ReportView) error {
	return writePage(w, v.Title, css, v.write)
}

// writePage writes the page with title, style sheet and content to w in
// one Write.
func writePage(w io.Writer, title, style string, content func(*html)) error {
	h := make(html, 0, 4<<10)
	layout(&h, title, style, content)
	_, err := w.Write(h)
	return err
}

// PageType is the pages' Content-Type.
const PageType = "text/html; charset=utf-8"

// SetPageHeaders marks a formgate HTML page: no caching, and a policy that
// allows only the inline style sheet, the copy button's script (by its
// hash), same-origin form posts and no framing (clickjacking on the login
// form).
func SetPageHeaders(h http.Header) {
	for _, p := range pageHeaders {
		h[p.name] = p.value
	}
}

// pageHeaders are SetPageHeaders' headers, names in canonical form and
// each value made once: every page shares them, as nothing changes a
// header's values in place (Set and Del replace, Add appends to a copy).
var pageHeaders = [...]struct {
	name  string
	value []string
}{
	{"Content-Type", []string{PageType}},
	{"Cache-Control", []string{"no-store"}},
	{"Content-Security-Policy", []string{csp}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"no-referrer"}},
}
