package report

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/formgate/formgate/internal/table"
)

// snapshot is one version of the report's CSV with what is made from it.
// The big answers (JSON, CSV, CSV for Excel) are compressed once, on first
// use, and kept: the bytes every gzip-accepting client gets. Their plain
// forms are written from the table per request and never kept, so memory
// stays near the file's size however large the report.
type snapshot struct {
	table   *table.Table
	version string
	sizes   map[string]table.Size // plain size of each whole format, known from the parse
	gz      map[string]*compressed

	mu    sync.Mutex
	pages map[pageKey]*rendered // HTML pages made so far
}

// compressed is a format's gzip'd bytes, made once.
type compressed struct {
	once  sync.Once
	bytes []byte
}

// The whole formats: a download, never paged.
const (
	wholeJSON   = FormatJSON
	wholeCSV    = FormatCSV
	wholeCSVBOM = FormatCSV + "+bom"
)

func newSnapshot(t *table.Table, version string) *snapshot {
	s := &snapshot{table: t, version: version, gz: map[string]*compressed{}, pages: map[pageKey]*rendered{},
		sizes: map[string]table.Size{wholeJSON: t.JSONSize(), wholeCSV: t.CSVSize(false)}}
	for _, f := range []string{wholeJSON, wholeCSV, wholeCSVBOM} {
		s.gz[f] = new(compressed)
	}
	return s
}

// size is the size of whole format f: the CSV for Excel's is counted the
// first time it is asked (table.ExcelCSVSize), the others at start.
func (s *snapshot) size(f string) table.Size {
	if f == wholeCSVBOM {
		return s.table.ExcelCSVSize()
	}
	return s.sizes[f]
}

// write writes whole format f, uncompressed.
func (s *snapshot) write(w io.Writer, f string) error {
	switch f {
	case wholeJSON:
		return s.table.WriteJSON(w)
	case wholeCSVBOM:
		return s.table.WriteExcelCSV(w) // a BOM, and formulas neutralised
	default:
		return s.table.WriteCSV(w, false)
	}
}

// compressed returns whole format f gzip'd, compressing it the first time
// (level 6: a 9.6 MB JSON of 100,000 rows takes 0.14 s on one core and
// comes to 1.3 MB; level 1 would be 0.03 s and 1.5 MB, for every client,
// every time).
func (s *snapshot) compressed(f string, log *slog.Logger) []byte {
	c := s.gz[f]
	c.once.Do(func() {
		start := time.Now()
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		s.write(zw, f)
		zw.Close()
		c.bytes = b.Bytes()
		log.Info("report compressed", "format", f, "bytes", s.size(f).Raw, "gzip_bytes", len(c.bytes),
			"ms", time.Since(start).Milliseconds())
	})
	return c.bytes
}

// base64Len is the length of n bytes in base64, as a binary body travels
// in a Lambda response event.
func base64Len(n int) int { return base64.StdEncoding.EncodedLen(n) }
