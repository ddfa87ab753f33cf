// Package report is formgate's built-in report: a CSV table served as an
// HTML page, JSON or a CSV download, to be put behind the gate. It is a
// plain http.Handler; the programs in cmd/ mount it at the gate's base
// path.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/accept"
	"github.com/formgate/formgate/internal/table"
	"github.com/formgate/formgate/web"
)

// Report serves a table. The table never changes, so JSON and CSV are
// rendered once, at start, and the page once per logout URL (with a button
// for session users, without for Basic users).
type Report struct {
	title       string
	table       *table.Table
	pages       *web.Pages
	log         *slog.Logger
	json        []byte
	csv, csvBOM []byte // csvBOM: with a byte-order mark, for Excel
	disposition string // the download's Content-Disposition

	mu   sync.Mutex
	html map[string][]byte // logout URLs → rendered page; a handful at most
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
	cs, err := t.CSV(false)
	if err != nil {
		return nil, err
	}
	bom, err := t.CSV(true)
	if err != nil {
		return nil, err
	}
	rp := &Report{title: title, table: t, pages: pages, log: log, json: js, csv: cs, csvBOM: bom,
		disposition: contentDisposition(filename), html: map[string][]byte{}}
	// The page without a logout button, rendered now so that a template
	// error stops the program at start.
	if _, err := rp.page("", ""); err != nil {
		return nil, err
	}
	return rp, nil
}

// page returns the HTML page with a logout button posting to logoutURL
// (none for "") and one for everywhere.
func (rp *Report) page(logoutURL, everywhereURL string) ([]byte, error) {
	key := logoutURL + "\x00" + everywhereURL
	rp.mu.Lock()
	p, ok := rp.html[key]
	rp.mu.Unlock()
	if ok {
		return p, nil
	}
	var b bytes.Buffer
	if err := rp.pages.Report(&b, web.ReportView{Title: rp.title, Header: rp.table.Header, Rows: rp.table.Rows, LogoutURL: logoutURL, LogoutEverywhereURL: everywhereURL}); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	rp.mu.Lock()
	if len(rp.html) < maxPages {
		rp.html[key] = b.Bytes()
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

// Negotiate picks the report format: ?format= (any case) wins, then the
// Accept header with its q-values and wildcards, HTML when there is none.
// An unknown ?format= is an error, and so is an Accept header that takes
// none of the three.
func Negotiate(r *http.Request) (string, error) {
	asked := strings.ToLower(r.URL.Query().Get("format"))
	chosen := ""
	if asked == "" {
		chosen = accept.Negotiate(r.Header.Values("Accept"), media...)
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

func (rp *Report) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format, err := Negotiate(r)
	if err != nil {
		rp.log.Info("no format to answer with", "err", err)
		status := http.StatusBadRequest
		if errors.Is(err, errNotAcceptable) {
			status = http.StatusNotAcceptable
		}
		http.Error(w, err.Error(), status)
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
		h.Set("Content-Disposition", rp.disposition)
		if r.URL.Query().Get("bom") == "1" {
			w.Write(rp.csvBOM) // for Excel, which reads UTF-8 right only after one
		} else {
			w.Write(rp.csv)
		}
	default:
		page, err := rp.page(formgate.LogoutURL(r), formgate.LogoutEverywhereURL(r))
		if err != nil {
			rp.log.Error("render report", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		web.SetPageHeaders(h)
		w.Write(page)
	}
}
