// Package report is formgate's built-in report: a CSV table served as an
// HTML page (in pages of rows), JSON or a CSV download, gzip'd for clients
// that take it, to be put behind the gate. It is a plain http.Handler; the
// programs in cmd/ mount it at the gate's base path.
package report

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/outage"
	"github.com/formgate/formgate/internal/table"
	"github.com/formgate/formgate/web"
)

// Config is what a Report shows and where it comes from.
type Config struct {
	// Title heads the page.
	Title string
	// Filename names the CSV download.
	Filename string
	// Source is the CSV.
	Source Source
	// Refresh is how often the source is asked whether the CSV changed
	// (on a request, once the time has passed); 0 loads it only at start.
	Refresh time.Duration
	// PageRows is the rows per HTML page; 0 means DefaultPageRows.
	PageRows int
	// Logger gets the report's sizes at start, its reloads and the
	// requests it refuses; slog.Default() if nil.
	Logger *slog.Logger
}

// DefaultPageRows keeps a page near 100 KB of HTML: a browser lays out a
// table of 100,000 rows (10 MB) in seconds, one of 1,000 at once.
const DefaultPageRows = 1000

// loadTimeout bounds one load of the source at a refresh, which a request
// waits for: past it the last good copy is served.
const loadTimeout = 5 * time.Second

// Report serves a CSV report. It is safe for concurrent use.
type Report struct {
	c           Config
	pages       *web.Pages
	disposition string // the download's Content-Disposition

	cur     atomic.Pointer[snapshot]
	next    atomic.Int64 // unix ns of the next refresh
	loading sync.Mutex   // one refresh at a time; others serve the copy in hand
	bad     string       // a version that did not parse, not to be parsed again (under loading)

	// What a client's headers last decided (Accept: the media type it
	// prefers; Accept-Encoding: whether it takes gzip).
	chosenMedia memo[string]
	takesGzip   memo[bool]
	down        outage.Log

	// The forms' lifetimes, labelled (share.go).
	shareLabels, tokenLabels labels
}

// New loads the report from c.Source: an error when it cannot be read or
// is not a valid report CSV, so that a broken report stops the program at
// start.
func New(ctx context.Context, c Config) (*Report, error) {
	if c.PageRows <= 0 {
		c.PageRows = DefaultPageRows
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	pages, err := web.NewPages()
	if err != nil {
		return nil, err
	}
	rp := &Report{c: c, pages: pages, disposition: contentDisposition(c.Filename),
		down: outage.Log{Warn: true, Start: "report source failing: serving the last good copy", End: "report source back", Attrs: []any{"source", c.Source.String()}}}
	start := time.Now()
	data, version, err := c.Source.Load(ctx, "")
	if err != nil {
		return nil, loadError(c.Source, err)
	}
	t, err := table.ParseCSV(data)
	if err != nil {
		return nil, loadError(c.Source, err)
	}
	s := newSnapshot(t, version)
	rp.cur.Store(s)
	rp.next.Store(time.Now().Add(c.Refresh).UnixNano())
	rp.logSizes(s, time.Since(start))
	return rp, nil
}

// logSizes says at start how big each answer is and which cannot pass a
// front door uncompressed, so that an operator learns it from the log,
// not from a user.
func (rp *Report) logSizes(s *snapshot, took time.Duration) {
	rows := s.table.Len()
	rp.c.Logger.Info("report loaded", "source", rp.c.Source.String(), "rows", rows, "pages", pageCount(rows, rp.c.PageRows),
		"csv_bytes", s.sizes[wholeCSV].Raw, "json_bytes", s.sizes[wholeJSON].Raw, "ms", took.Milliseconds())
	for _, f := range []string{wholeJSON, wholeCSV} {
		n := s.size(f).InEvent + headroom
		if n <= frontdoor.ALBLimit {
			continue
		}
		rp.c.Logger.Warn("report answer too large for a front door uncompressed: served gzip'd to clients that accept it (every browser, curl --compressed), a 406 naming what fits to others",
			"format", f, "bytes", s.size(f).Raw, "fits_lambda_6MB", n <= frontdoor.LambdaLimit, "fits_alb_1MB", false)
	}
}

// current is the snapshot to serve, refreshed first when it is due and no
// other request is refreshing it (those serve the copy in hand). The
// request that refreshes waits for it, up to loadTimeout: on Lambda
// nothing runs once the answer is sent (the process is frozen until the
// next invocation, while a deadline keeps counting), so a refresh left
// behind would rarely finish.
func (rp *Report) current(ctx context.Context) *snapshot {
	if rp.c.Refresh <= 0 || time.Now().UnixNano() < rp.next.Load() || !rp.loading.TryLock() {
		return rp.cur.Load()
	}
	if time.Now().UnixNano() < rp.next.Load() { // another request just did it
		rp.loading.Unlock()
		return rp.cur.Load()
	}
	done := make(chan struct{})
	go func() { // on its own, so that a client hanging up does not cut it short
		defer rp.loading.Unlock()
		defer close(done)
		rp.refresh(ctx)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return rp.cur.Load()
}

// refresh asks the source for a newer CSV. Whatever goes wrong, the copy
// in hand stays: a report a minute old beats an error page.
func (rp *Report) refresh(ctx context.Context) {
	// The client may hang up; the refresh is for everyone, so it goes on.
	ctx = context.WithoutCancel(ctx)
	lctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	defer func() { rp.next.Store(time.Now().Add(rp.c.Refresh).UnixNano()) }()
	s, log := rp.cur.Load(), rp.c.Logger
	have := s.version
	if rp.bad != "" {
		have = rp.bad
	}
	data, version, err := rp.c.Source.Load(lctx, have)
	switch {
	case errors.Is(err, ErrUnchanged):
		rp.down.OK(log)
		return
	case err != nil:
		rp.down.Failed(ctx, log, err)
		return
	}
	rp.down.OK(log)
	t, err := table.ParseCSV(data)
	if err != nil {
		rp.bad = version
		log.Error("report source has a new version that is not a valid report CSV: serving the last good copy", "source", rp.c.Source.String(), "err", err)
		return
	}
	rp.bad = ""
	rp.cur.Store(newSnapshot(t, version))
	log.Info("report reloaded", "source", rp.c.Source.String(), "rows", t.Len(), "csv_bytes", t.Size())
}

func (rp *Report) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	format, err := rp.negotiate(r)
	if err != nil {
		rp.refuse(w, "no format to answer with", err, errNotAcceptable, http.StatusNotAcceptable)
		return
	}
	h := w.Header()
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	if vary := h["Vary"]; len(vary) > 0 {
		h["Vary"] = append(vary, varies)
	} else {
		h["Vary"] = variesOnly
	}
	s := rp.current(r.Context())
	switch format {
	case FormatJSON:
		rp.whole(w, r, s, wholeJSON, "application/json")
	case FormatCSV:
		h.Set("Content-Disposition", rp.disposition)
		if query(r, "bom") == "1" {
			rp.whole(w, r, s, wholeCSVBOM, "text/csv; charset=utf-8") // for Excel, which reads UTF-8 right only after a BOM
		} else {
			rp.whole(w, r, s, wholeCSV, "text/csv; charset=utf-8")
		}
	default:
		rp.page(w, r, s)
	}
}

// refuse answers a request the report cannot serve as asked: 400, or
// status when err is kind; the message says what would work.
func (rp *Report) refuse(w http.ResponseWriter, msg string, err, kind error, status int) {
	rp.c.Logger.Info(msg, "err", err)
	if !errors.Is(err, kind) {
		status = http.StatusBadRequest
	}
	http.Error(w, err.Error(), status)
}

// whole answers a whole format: the kept gzip'd bytes to a client that
// takes gzip, else written from the table — each only when the front door
// can carry it, else a 406 that says what can.
func (rp *Report) whole(w http.ResponseWriter, r *http.Request, s *snapshot, f, contentType string) {
	limit := frontdoor.From(r.Context()).MaxResponse
	h := w.Header()
	if rp.acceptsGzip(r.Header.Values("Accept-Encoding")) {
		if gz := s.compressed(f, rp.c.Logger); fits(limit, base64Len(len(gz))) {
			h.Set("Content-Type", contentType)
			h.Set("Content-Encoding", "gzip")
			h.Set("Content-Length", strconv.Itoa(len(gz)))
			w.Write(gz)
			return
		}
	} else if fits(limit, s.size(f).InEvent) {
		h.Set("Content-Type", contentType)
		h.Set("Content-Length", strconv.Itoa(s.size(f).Raw))
		if err := s.write(w, f); err != nil {
			rp.c.Logger.Info("report write stopped", "format", f, "err", err) // the client went away
		}
		return
	}
	rp.tooLarge(w, r, s, f, limit)
}

// page answers one HTML page of rows, chosen with ?page=N.
func (rp *Report) page(w http.ResponseWriter, r *http.Request, s *snapshot) {
	rows := s.table.Len()
	n, pages, err := pageNumber(query(r, "page"), rows, rp.c.PageRows)
	if err != nil {
		rp.refuse(w, "no such page", err, errNoPage, http.StatusNotFound)
		return
	}
	from := (n - 1) * rp.c.PageRows
	to := min(from+rp.c.PageRows, rows)
	v := web.ReportView{Title: rp.c.Title, Header: s.table.Header,
		Total: rows, Page: n, Pages: pages, First: from + 1, Last: to,
		LogoutURL: formgate.LogoutURL(r), LogoutEverywhereURL: formgate.LogoutEverywhereURL(r), Share: rp.shareView(r), Tokens: rp.tokenView(r)}
	limit := frontdoor.From(r.Context()).MaxResponse
	body, err := rp.render(s, v, rp.acceptsGzip(r.Header.Values("Accept-Encoding")), limit != 0)
	if err != nil {
		rp.c.Logger.Error("render report", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if !fits(limit, body.inEvent) {
		rp.tooLarge(w, r, s, "html", limit)
		return
	}
	h := w.Header()
	web.SetPageHeaders(h)
	if body.gzip {
		h["Content-Encoding"] = gzipEncoding
	}
	h["Content-Length"] = body.length
	w.Write(body.bytes)
}

// Header values every answer shares, made once (a header's values are
// never changed in place: Set and Del replace them, Add appends to a
// copy).
var (
	noStore      = []string{"no-store"}
	noSniff      = []string{"nosniff"}
	gzipEncoding = []string{"gzip"}
	variesOnly   = []string{varies}
)

// varies is what the answer depends on besides the URL.
const varies = "Accept, Accept-Encoding"
