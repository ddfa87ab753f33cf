package report

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/formgate/formgate/internal/frontdoor"
)

// tooLarge answers 406 to a request whose answer the front door cannot
// carry (Lambda returns at most 6 MB, an ALB takes 1 MB; past it the
// client would get a 502 and the runtime would restart), naming what can
// be had instead, with sizes: the gzip'd form, the CSV, a page.
func (rp *Report) tooLarge(w http.ResponseWriter, r *http.Request, s *snapshot, f string, limit int) {
	var ok []string
	for _, alt := range []struct{ format, how, query string }{
		{wholeJSON, "JSON", "?format=json"}, {wholeCSV, "CSV", "?format=csv"},
	} {
		if gz := s.compressed(alt.format, rp.c.Logger); fits(limit, base64Len(len(gz))) {
			ok = append(ok, fmt.Sprintf("%s compressed (%s, %s): ask with Accept-Encoding: gzip (curl --compressed; browsers do)", alt.how, alt.query, mb(len(gz))))
		}
		if fits(limit, s.size(alt.format).InEvent) {
			ok = append(ok, fmt.Sprintf("%s uncompressed (%s, %s)", alt.how, alt.query, mb(s.size(alt.format).Raw)))
		}
	}
	if f != "html" {
		ok = append(ok, fmt.Sprintf("the HTML view, a page of %d rows at a time (?page=1 … ?page=%d)", rp.c.PageRows, pageCount(s.table.Len(), rp.c.PageRows)))
	}
	rp.c.Logger.Info("report answer too large for the front door", "format", f, "limit_bytes", limit)
	msg := fmt.Sprintf("406 Not Acceptable: this answer (%s) is larger than this front door can return (%s).\n", f, frontdoor.LimitText(limit))
	if len(ok) > 0 {
		msg += "What fits:\n- " + strings.Join(ok, "\n- ")
	}
	http.Error(w, msg, http.StatusNotAcceptable)
}

// mb is n bytes for people: MB, or KB under a tenth of one.
func mb(n int) string {
	if n < 100_000 {
		return fmt.Sprintf("%d KB", (n+999)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
