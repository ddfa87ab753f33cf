package report

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/formgate/formgate/internal/table"
	"github.com/formgate/formgate/internal/testkit/bigcsv"
)

// BenchmarkRows reports rows per second for each thing done with a report
// of 100,000 rows (3.8 MB CSV, 9.6 MB JSON): reading it at start, writing
// each whole format plainly, compressing each once, and rendering one
// HTML page (1,000 rows), from a cold cache.
func BenchmarkRows(b *testing.B) {
	const rows = 100_000
	csv := bigcsv.Generate(rows)
	rp := newReport(b, string(csv), Config{})
	s := rp.cur.Load()
	perSecond := func(b *testing.B, n int) {
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(csv)))
		for b.Loop() {
			if _, err := table.ParseCSV(csv); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, rows)
	})
	for _, f := range []string{wholeJSON, wholeCSV} {
		b.Run(f+"-plain", func(b *testing.B) {
			b.SetBytes(int64(s.sizes[f].Raw))
			for b.Loop() {
				s.write(io.Discard, f)
			}
			perSecond(b, rows)
		})
		b.Run(f+"-gzip-once", func(b *testing.B) {
			b.SetBytes(int64(s.sizes[f].Raw))
			for b.Loop() {
				fresh := newSnapshot(s.table, "")
				fresh.compressed(f, rp.c.Logger)
			}
			perSecond(b, rows)
		})
	}
	b.Run("html-page", func(b *testing.B) {
		for b.Loop() {
			rp.cur.Store(newSnapshot(s.table, "")) // no page made yet
			rp.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/report?page=50", nil))
		}
		perSecond(b, DefaultPageRows)
	})
	b.Run("html-page-kept", func(b *testing.B) {
		rp.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/report?page=50", nil))
		for b.Loop() {
			rp.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/report?page=50", nil))
		}
		perSecond(b, DefaultPageRows)
	})
}
