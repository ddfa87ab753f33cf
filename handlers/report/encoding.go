package report

import (
	"bytes"
	"compress/gzip"
	"sync"

	"github.com/formgate/formgate/internal/accept"
	"github.com/formgate/formgate/web"
)

// headroom is what an answer's status and headers take in a response
// event beside its body, with room to spare.
const headroom = 16 << 10

// fits reports whether a body of n bytes, as it travels in the event,
// passes a front door that takes limit bytes (0: any).
func fits(limit, n int) bool { return limit == 0 || n+headroom <= limit }

// acceptsGzip reports whether Accept-Encoding values take gzip.
func acceptsGzip(values []string) bool { return accept.Coding(values, "gzip", "x-gzip") }

// body is a rendered page, gzip'd or not.
type body struct {
	bytes []byte
	gzip  bool
}

// rendered is one page, plain and gzip'd, kept in the snapshot.
type rendered struct {
	once        sync.Once
	plain, gzip []byte
	err         error
}

// maxPages bounds the pages kept per snapshot (pages × logout variants);
// past it all are dropped and made again as asked. A page of 1,000 rows
// of the sample's width is about 105 KB plain and 15 KB gzip'd (4 MB for
// all); wide rows weigh more, in proportion to the report.
const maxPages = 32

// pageKey is what makes one page differ from another.
type pageKey struct {
	page               int
	logout, everywhere string
	share              string // the share panel's key (share.go)
}

// render returns the HTML page v, made once per snapshot and key (rows
// are read from the table only then) and kept, plain and gzip'd.
func (rp *Report) render(s *snapshot, v web.ReportView, gz bool) (body, error) {
	share, keep := shareKey(v.Share)
	tokens, keepTokens := tokensKey(v.Tokens)
	if !keep || !keepTokens {
		// A new link or a list of links: this user's page alone, made for
		// this request in the one encoding asked, and not kept (a cache
		// of pages per user would push out the pages everyone shares).
		p := new(rendered)
		rp.fill(p, s, v, !gz, gz)
		return p.body(gz)
	}
	k := pageKey{v.Page, v.LogoutURL, v.LogoutEverywhereURL, share + tokens}
	s.mu.Lock()
	p, ok := s.pages[k]
	if !ok {
		if len(s.pages) >= maxPages {
			clear(s.pages)
		}
		p = new(rendered)
		s.pages[k] = p
	}
	s.mu.Unlock()
	p.once.Do(func() { rp.fill(p, s, v, true, true) })
	return p.body(gz)
}

// fill makes page v into p, plain, gzip'd, or both.
func (rp *Report) fill(p *rendered, s *snapshot, v web.ReportView, plain, gz bool) {
	var b bytes.Buffer
	from := (v.Page - 1) * rp.c.PageRows
	v.Rows = s.table.Rows(from, from+v.Last-v.First+1)
	if p.err = rp.pages.Report(&b, v); p.err != nil {
		return
	}
	if plain {
		p.plain = b.Bytes()
	}
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b.Bytes())
		zw.Close()
		p.gzip = z.Bytes()
	}
}

// body is p as asked: gzip'd or plain.
func (p *rendered) body(gz bool) (body, error) {
	if gz {
		return body{p.gzip, true}, p.err
	}
	return body{p.plain, false}, p.err
}
