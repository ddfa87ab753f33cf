// Package report is formgate's built-in report: a CSV table served as an
// HTML page, JSON or a CSV download, to be put behind the gate. It is a
// plain http.Handler; the programs in cmd/ mount it at the gate's base
// path.
package report

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/table"
	"github.com/formgate/formgate/web"
)

// Report serves a table. The table never changes, so JSON and CSV are
// rendered once, at start, and the page once per logout URL (with a button
// for session users, without for Basic users).
type Report struct {
	title    string
	filename string
	table    *table.Table
	pages    *web.Pages
	log      *slog.Logger
	json     []byte
	csv      []byte

	mu   sync.Mutex
	html map[string][]byte // LogoutURL → rendered page; a handful at most
}

// maxPages bounds the rendered pages kept: one without a logout button,
// one per depth the report is served at (one, when mounted at the base
// path). Past it pages are rendered per request, so no caller can grow
// the map.
const maxPages = 4

// New returns the report handler for t. filename names the CSV download.
func New(title, filename string, t *table.Table, log *slog.Logger) (*Report, error) {
	pages, err := web.NewPages()
	if err != nil {
		return nil, err
	}
	js, err := t.JSON()
	if err != nil {
		return nil, err
	}
	cs, err := t.CSV()
	if err != nil {
		return nil, err
	}
	rp := &Report{title: title, filename: filename, table: t, pages: pages, log: log, json: js, csv: cs, html: map[string][]byte{}}
	// The page without a logout button, rendered now so that a template
	// error stops the program at start.
	if _, err := rp.page(""); err != nil {
		return nil, err
	}
	return rp, nil
}

// page returns the HTML page with a logout button posting to logoutURL
// (none for "").
func (rp *Report) page(logoutURL string) ([]byte, error) {
	rp.mu.Lock()
	p, ok := rp.html[logoutURL]
	rp.mu.Unlock()
	if ok {
		return p, nil
	}
	var b bytes.Buffer
	if err := rp.pages.Report(&b, web.ReportView{Title: rp.title, Header: rp.table.Header, Rows: rp.table.Rows, LogoutURL: logoutURL}); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	rp.mu.Lock()
	if len(rp.html) < maxPages {
		rp.html[logoutURL] = b.Bytes()
	}
	rp.mu.Unlock()
	return b.Bytes(), nil
}

// Formats the report is served in.
const (
	FormatHTML = "html"
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Negotiate picks the report format: ?format= wins, then the Accept
// header, then HTML. An unknown ?format= is an error.
func Negotiate(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case FormatHTML, FormatJSON, FormatCSV:
		return f, nil
	case "":
	default:
		return "", fmt.Errorf("unknown format %q: use html, json or csv", f)
	}
	accept := strings.ToLower(strings.Join(r.Header.Values("Accept"), ","))
	switch {
	case strings.Contains(accept, "text/html"): // what the gate takes for a browser
		return FormatHTML, nil
	case strings.Contains(accept, "application/json"):
		return FormatJSON, nil
	case strings.Contains(accept, "text/csv"):
		return FormatCSV, nil
	}
	return FormatHTML, nil
}

func (rp *Report) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format, err := Negotiate(r)
	if err != nil {
		rp.log.Info("bad report format", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept")
	switch format {
	case FormatJSON:
		h.Set("Content-Type", "application/json")
		w.Write(rp.json)
	case FormatCSV:
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", rp.filename))
		w.Write(rp.csv)
	default:
		page, err := rp.page(formgate.LogoutURL(r))
		if err != nil {
			rp.log.Error("render report", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		web.SetPageHeaders(h)
		w.Write(page)
	}
}
