package report

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"

	"github.com/formgate/formgate/web"
)

// headroom is what an answer's status and headers take in a response
// event beside its body, with room to spare.
const headroom = 16 << 10

// fits reports whether a body of n bytes, as it travels in the event,
// passes a front door that takes limit bytes (0: any).
func fits(limit, n int) bool { return limit == 0 || n+headroom <= limit }

// eventLen is the length of text body b in a response event's JSON.
func eventLen(b []byte) int {
	var c eventCounter
	c.Write(b)
	return c.inEvent
}

// acceptsGzip reports whether Accept-Encoding values take gzip (RFC 9110
// 12.5.3): gzip or x-gzip, or *, with a q-value above zero; an explicit
// gzip;q=0 refuses it even beside *.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qAboveZero(params)
			switch coding {
			case "gzip", "x-gzip":
				return ok
			case "*":
				star = ok
			}
		}
	}
	return star
}

// qAboveZero reads a q parameter ("q=0.5"); none means 1.
func qAboveZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// body is a rendered page, gzip'd or not.
type body struct {
	bytes []byte
	gzip  bool
}

// render renders an HTML page, compressed when the client takes gzip.
// A page holds per-user parts (the logout buttons), so it is compressed
// per request, at the fastest level: about 100 KB of HTML in well under a
// millisecond.
func (rp *Report) render(v web.ReportView, gz bool) (body, error) {
	var b bytes.Buffer
	if !gz {
		err := rp.pages.Report(&b, v)
		return body{b.Bytes(), false}, err
	}
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err := rp.pages.Report(zw, v); err != nil {
		return body{}, err
	}
	err := zw.Close()
	return body{b.Bytes(), true}, err
}
