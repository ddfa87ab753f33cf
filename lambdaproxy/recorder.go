package lambdaproxy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/formgate/formgate/internal/frontdoor"
)

// recorder is the http.ResponseWriter an event's handler writes to; its
// contents become the event response.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        *bytes.Buffer // from bodies; release gives it back
}

func newRecorder() *recorder {
	return &recorder{header: http.Header{}, status: http.StatusOK, body: bodies.Get().(*bytes.Buffer)}
}

// bodies are the buffers answers are written to, used again: the memory
// one answer was written to is still in the cache for the next, where a
// new buffer each time is memory the processor has not seen since the
// last garbage collection.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxKept is the largest buffer kept for another answer.
const maxKept = 64 << 10

// release gives the body's buffer back; r is not used after, and nothing
// refers to the body (the event response holds a copy of it).
func (r *recorder) release() {
	if r.body.Cap() <= maxKept {
		r.body.Reset()
		bodies.Put(r.body)
	}
	r.body = nil
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		return
	}
	r.status, r.wroteHeader = code, true
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	if r.header.Get("Content-Type") == "" && r.body.Len() == 0 {
		r.header.Set("Content-Type", http.DetectContentType(b))
	}
	return r.body.Write(b)
}

// encodedBody returns the body for the event response: as it is when it is
// text, else base64 (front doors would mangle binary bytes in a JSON
// string) — and a compressed body (Content-Encoding: gzip) is binary,
// whatever its type.
func (r *recorder) encodedBody() (body string, isBase64 bool) {
	if !frontdoor.Binary(r.header.Get("Content-Type"), r.header.Get("Content-Encoding"), r.body.Bytes()) {
		return r.body.String(), false
	}
	return base64.StdEncoding.EncodeToString(r.body.Bytes()), true
}

// statusDescription is ALB's "200 OK".
func (r *recorder) statusDescription() string {
	return fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
}

// singleHeaders joins repeated values with ", " (RFC 9110 5.3), skipping
// names listed in skip.
func singleHeaders(h http.Header, skip ...string) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 || slices.Contains(skip, k) {
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}
