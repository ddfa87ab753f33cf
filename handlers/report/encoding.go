package report

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"sync"

	"github.com/formgate/formgate/internal/accept"
	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/web"
)

// headroom is what an answer's status and headers take in a response
// event beside its body, with room to spare.
const headroom = 16 << 10

// fits reports whether a body of n bytes, as it travels in the event,
// passes a front door that takes limit bytes (0: any).
func fits(limit, n int) bool { return limit == 0 || n+headroom <= limit }

// acceptsGzip reports whether Accept-Encoding values take gzip.
func (rp *Report) acceptsGzip(values []string) bool {
	return rp.takesGzip.get(values, func(h []string) bool { return accept.Coding(h, "gzip", "x-gzip") })
}

// body is a rendered page, gzip'd or not, with its length in a response
// event (frontdoor.EventLen), known once the page is.
type body struct {
	bytes   []byte
	gzip    bool
	inEvent int
	length  []string // Content-Length's value
}

// rendered is one page, plain and gzip'd, kept in the snapshot, with the
// length of each in a response event.
type rendered struct {
	once                  sync.Once
	plain, gzip           []byte
	plainEvent, gzipEvent int
	plainLen, gzipLen     []string // Content-Length of each, made once
	err                   error
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
	share, tokens      panelKey // the share panel's (share.go) and the token panel's (tokens.go)
}

// render returns the HTML page v, made once per snapshot and key (rows
// are read from the table only then) and kept, plain and gzip'd, each with
// its length in a response event. A page that is not kept is sized only
// when sized is set (a front door with a limit asks).
func (rp *Report) render(s *snapshot, v web.ReportView, gz, sized bool) (body, error) {
	share, keep := shareKey(v.Share)
	tokens, keepTokens := tokensKey(v.Tokens)
	if !keep || !keepTokens {
		// A new link or a list of links: this user's page alone, made for
		// this request in the one encoding asked, and not kept (a cache
		// of pages per user would push out the pages everyone shares).
		p := new(rendered)
		rp.fill(p, s, v, !gz, gz, sized)
		return p.body(gz)
	}
	k := pageKey{v.Page, v.LogoutURL, v.LogoutEverywhereURL, share, tokens}
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
	p.once.Do(func() { rp.fill(p, s, v, true, true, true) })
	return p.body(gz)
}

// fill makes page v into p, plain, gzip'd, or both, and with sized the
// length of each in a response event.
func (rp *Report) fill(p *rendered, s *snapshot, v web.ReportView, plain, gz, sized bool) {
	var b bytes.Buffer
	from := (v.Page - 1) * rp.c.PageRows
	v.Rows = s.table.Rows(from, from+v.Last-v.First+1)
	if p.err = rp.pages.Report(&b, v); p.err != nil {
		return
	}
	if plain {
		p.plain = b.Bytes()
		p.plainLen = []string{strconv.Itoa(len(p.plain))}
		if sized {
			p.plainEvent = frontdoor.EventLen(web.PageType, "", p.plain)
		}
	}
	if gz {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b.Bytes())
		zw.Close()
		p.gzip = z.Bytes()
		p.gzipLen = []string{strconv.Itoa(len(p.gzip))}
		if sized {
			p.gzipEvent = frontdoor.EventLen(web.PageType, "gzip", p.gzip)
		}
	}
}

// body is p as asked: gzip'd or plain.
func (p *rendered) body(gz bool) (body, error) {
	if gz {
		return body{p.gzip, true, p.gzipEvent, p.gzipLen}, p.err
	}
	return body{p.plain, false, p.plainEvent, p.plainLen}, p.err
}
