package handlers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/formgate/formgate/web"
)

// Table is a parsed CSV report: a header row and data rows of equal width.
type Table struct {
	Header []string
	Rows   [][]string
}

// ParseCSV reads a CSV report. It is strict so that a broken file fails the
// function at start, not a user's request: every row must have as many
// fields as the header, and header names must be present and unique (they
// become JSON keys).
func ParseCSV(data []byte) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheet exports often start with a BOM
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("report CSV: %w", err)
	}
	if len(records) == 0 {
		return nil, errors.New("report CSV: the file is empty; it needs a header row")
	}
	seen := map[string]bool{}
	for i, h := range records[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("report CSV: header column %d is empty; every column needs a name", i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("report CSV: header %q appears twice; column names must be unique", h)
		}
		seen[h] = true
		records[0][i] = h
	}
	return &Table{Header: records[0], Rows: records[1:]}, nil
}

// Report serves a Table as an HTML page, JSON or CSV. The table never
// changes, so every rendering is made once, at start.
type Report struct {
	filename string
	log      *slog.Logger
	html     []byte // with a logout button, for session users
	htmlNoLo []byte // without, for Basic users (no session to end)
	json     []byte
	csv      []byte
}

// NewReport returns the built-in report handler. filename names the CSV
// download.
func NewReport(title, filename string, t *Table, pages *web.Pages, log *slog.Logger) (*Report, error) {
	js, err := tableJSON(t)
	if err != nil {
		return nil, err
	}
	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	cw.Write(t.Header)
	cw.WriteAll(t.Rows)
	if err := cw.Error(); err != nil {
		return nil, err
	}
	rp := &Report{filename: filename, log: log, json: js, csv: cb.Bytes()}
	for _, v := range []struct {
		dst       *[]byte
		canLogout bool
	}{{&rp.html, true}, {&rp.htmlNoLo, false}} {
		var b bytes.Buffer
		if err := pages.Report(&b, web.ReportView{Title: title, Header: t.Header, Rows: t.Rows, CanLogout: v.canLogout}); err != nil {
			return nil, fmt.Errorf("render report: %w", err)
		}
		*v.dst = b.Bytes()
	}
	return rp, nil
}

// tableJSON renders rows as objects keyed by the header, keys in column
// order (a Go map would sort them).
func tableJSON(t *Table) ([]byte, error) {
	keys := make([][]byte, len(t.Header))
	for i, h := range t.Header {
		k, err := json.Marshal(h)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, cell := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			v, err := json.Marshal(cell)
			if err != nil {
				return nil, err
			}
			b.Write(keys[i])
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
	}
	b.WriteString("]\n")
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
	case wantsHTML(r): // the same test the gate uses to tell browsers from scripts
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
		setPageHeaders(h)
		if id, _ := IdentityFrom(r.Context()); id.Via == ViaBasic || id.Via == ViaAuthorizer {
			w.Write(rp.htmlNoLo)
		} else {
			w.Write(rp.html)
		}
	}
}

// setPageHeaders marks a formgate HTML page: no caching, and a policy that
// allows only the inline style sheet, same-origin form posts and no
// framing (clickjacking on the login form).
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}
