// Package web holds formgate's pages, style sheet and sample report,
// embedded in the binary so the Lambda zip needs no other file. The CSS is
// inlined into each page: a separate asset would need its own API Gateway
// route and its own trip through the gate.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"sync"
)

//go:embed templates/*.html style.css sample.csv
var files embed.FS

// SampleCSV is the report shown when no CSV of the operator's is configured.
func SampleCSV() []byte {
	b, err := files.ReadFile("sample.csv")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	return b
}

// LoginView is what the login page shows.
type LoginView struct {
	Title    string // heads the page and names it in the tab
	Username string // kept after a failed attempt; escaped by html/template
	Error    string
	// Action is where the form posts, relative to the page; "" posts back
	// to the page's own URL.
	Action string
	// Style replaces formgate's style sheet when set (Options.LoginCSS).
	Style template.CSS
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

// Pages renders the HTML pages. Build it once with NewPages.
type Pages struct {
	login, report *template.Template
	css           template.CSS
	// notice is a page that says one thing (share.go).
	notice *template.Template
}

// NewPages returns the embedded templates, parsed once per process: the
// gate and the report both need them, and parsing is most of what a cold
// start spends on pages. A parsed html/template is safe for concurrent
// use and never changes after.
func NewPages() (*Pages, error) { return parsed() }

var parsed = sync.OnceValues(parse)

func parse() (*Pages, error) {
	css, err := files.ReadFile("style.css")
	if err != nil {
		return nil, err
	}
	parse := func(page string, more ...string) (*template.Template, error) {
		names := []string{"templates/layout.html", "templates/" + page}
		for _, m := range more {
			names = append(names, "templates/"+m)
		}
		t, err := template.New(page).Funcs(funcs).ParseFS(files, names...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", page, err)
		}
		return t, nil
	}
	p := &Pages{css: template.CSS(css)}
	if p.login, err = parse("login.html"); err != nil {
		return nil, err
	}
	if p.report, err = parse("report.html", "share.html", "tokens.html"); err != nil {
		return nil, err
	}
	if p.notice, err = parse("notice.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// funcs are the pager's arithmetic.
var funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
}

type page struct {
	PageTitle string
	CSS       template.CSS
}

// Login writes the login page.
func (p *Pages) Login(w io.Writer, v LoginView) error {
	return p.login.ExecuteTemplate(w, "layout", struct {
		page
		LoginView
	}{page{"Log in · " + v.Title, p.style(v.Style)}, v})
}

// style is the style sheet of a page: formgate's, or the one given.
func (p *Pages) style(own template.CSS) template.CSS {
	if own != "" {
		return own
	}
	return p.css
}

// Report writes the report page.
func (p *Pages) Report(w io.Writer, v ReportView) error {
	return p.report.ExecuteTemplate(w, "layout", struct {
		page
		ReportView
	}{page{v.Title, p.css}, v})
}

// PageType is the pages' Content-Type.
const PageType = "text/html; charset=utf-8"

// SetPageHeaders marks a formgate HTML page: no caching, and a policy that
// allows only the inline style sheet, the copy button's script (by its
// hash), same-origin form posts and no framing (clickjacking on the login
// form).
func SetPageHeaders(h http.Header) {
	h.Set("Content-Type", PageType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}
