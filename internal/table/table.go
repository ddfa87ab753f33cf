// Package table reads the built-in report's CSV and renders it as JSON,
// CSV and pages of rows. It is strict so that a broken file fails the
// program at start, not a user's request.
//
// A table keeps the file's bytes and where each row starts, not the parsed
// rows: a report of 100,000 rows as [][]string takes about four times the
// file in memory, the bytes and an index one and a quarter. Rows are parsed
// again when a page or a download needs them, which costs little next to
// writing them out.
package table

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/jsonstr"
)

// Table is a parsed CSV report: a header row and data rows of equal width.
type Table struct {
	Header []string
	// BOM says the file began with a UTF-8 byte-order mark, which the CSV
	// download keeps: Excel reads UTF-8 right only with one.
	BOM bool

	data    []byte   // the file without its BOM
	starts  []uint32 // offset in data of each data row (a CSV is at most 4 GB: ParseCSV says so)
	numeric []bool   // per column: every non-empty cell is an exact JSON number
	json    Size     // of WriteJSON's output
	rowsEsc int      // what escaping the rows' bytes in a JSON string adds
	binary  bool     // the rows are not UTF-8: they travel base64 in an event (frontdoor.Binary's rule for text)
	crlf    bool     // the header line ends in CRLF: the header written again does too

	excelOnce sync.Once
	excel     Size // of WriteExcelCSV's output, once asked
}

// Size is the length of an output, and its length as a JSON string's
// content (quotes, backslashes and control characters escaped), which is
// how a text body travels in a Lambda response event.
type Size struct{ Raw, InEvent int }

// column adds up, in the one pass of ParseCSV, what a column's cells
// take in the JSON output both ways it may be written.
type column struct {
	number      int // as numbers: the cells as written, null for empty
	str, strEsc int // as strings, and what escaping them in an event adds
}

// ParseCSV reads a CSV report: every row must have as many fields as the
// header, and header names must be present and unique (they become JSON
// keys). A leading byte-order mark and spaces around header names are
// dropped. The table keeps data: the caller must not change it.
func ParseCSV(data []byte) (*Table, error) {
	bom := bytes.HasPrefix(data, []byte(utf8BOM))
	data = bytes.TrimPrefix(data, []byte(utf8BOM)) // spreadsheet exports often start with a BOM
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true // one pass that keeps nothing but offsets
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("report CSV: the file is empty; it needs a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("report CSV: %w", err)
	}
	if len(data) > math.MaxUint32 {
		return nil, errors.New("report CSV: the file is larger than 4 GB")
	}
	// As many offsets as lines at most: one allocation, no growth.
	t := &Table{Header: make([]string, len(header)), BOM: bom, data: data,
		starts: make([]uint32, 0, bytes.Count(data, []byte{'\n'})+1)}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("report CSV: header column %d is empty; every column needs a name", i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("report CSV: header %q appears twice; column names must be unique", h)
		}
		seen[h] = true
		t.Header[i] = h
	}
	numeric := make([]bool, len(header)) // true: every cell so far is a number
	for i := range numeric {
		numeric[i] = true
	}
	nonEmpty := make([]bool, len(header))
	cols := make([]column, len(header))
	var scratch []byte
	for {
		start := uint32(r.InputOffset())
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("report CSV: %w", err)
		}
		t.starts = append(t.starts, start)
		for i, cell := range rec {
			c := &cols[i]
			scratch = jsonstr.Append(scratch[:0], cell)
			c.str += len(scratch)
			c.strEsc += escapes(scratch)
			if cell == "" {
				c.number += len("null")
			} else {
				c.number += len(cell)
			}
			if cell == "" || !numeric[i] {
				continue
			}
			nonEmpty[i] = true
			numeric[i] = isNumber(cell) && exact(cell)
		}
	}
	for i := range numeric {
		numeric[i] = numeric[i] && nonEmpty[i]
	}
	t.numeric = numeric
	t.json = t.jsonSize(cols)
	if len(t.starts) > 0 {
		t.rowsEsc = frontdoor.Escapes(data[t.starts[0]:])
		t.binary = !utf8.Valid(data[t.starts[0]:])
	}
	headerEnd := len(data)
	if len(t.starts) > 0 {
		headerEnd = int(t.starts[0])
	}
	t.crlf = bytes.HasSuffix(data[:headerEnd], []byte("\r\n"))
	if cap(t.starts) > 2*len(t.starts)+64 { // blank lines or multi-line cells: give back the spare
		t.starts = append([]uint32(nil), t.starts...)
	}
	return t, nil
}

// jsonSize is what WriteJSON writes, from the column sums, so that no
// second pass over a large file is needed to know it.
func (t *Table) jsonSize(cols []column) Size {
	rows := len(t.starts)
	perRow := Size{2 + len(cols) - 1, 2 + len(cols) - 1} // {}, commas between cells
	for _, h := range t.Header {
		k := jsonstr.Append(nil, h)
		perRow.Raw += len(k) + 1 // "key":
		perRow.InEvent += len(k) + 1 + escapes(k)
	}
	s := Size{len("[]\n") + rows*perRow.Raw + max(rows-1, 0), len("[]\n") + 1 + rows*perRow.InEvent + max(rows-1, 0)}
	for i, c := range cols {
		if t.numeric[i] {
			s.Raw += c.number
			s.InEvent += c.number
		} else {
			s.Raw += c.str
			s.InEvent += c.str + c.strEsc
		}
	}
	return s
}

// escapes is how many bytes escaping JSON text b in a JSON string adds:
// one per quote and backslash (it has no control characters: they are
// escaped already).
func escapes(b []byte) int {
	return bytes.Count(b, []byte{'"'}) + bytes.Count(b, []byte{'\\'})
}

// JSONSize is the size of WriteJSON's output.
func (t *Table) JSONSize() Size { return t.json }

// CSVSize is the size of WriteCSV's output.
func (t *Table) CSVSize(bom bool) Size {
	var head bytes.Buffer
	t.writeHeader(&head, bom)
	s := Size{head.Len(), head.Len() + frontdoor.Escapes(head.Bytes())}
	if len(t.starts) > 0 {
		rest := len(t.data) - int(t.starts[0])
		s.Raw += rest
		s.InEvent += rest + t.rowsEsc
	}
	if t.binary {
		s.InEvent = base64.StdEncoding.EncodedLen(s.Raw)
	}
	return s
}

const utf8BOM = "\xef\xbb\xbf"

// Len is the number of data rows.
func (t *Table) Len() int { return len(t.starts) }

// Size is the size of the file the table was read from, without a BOM.
func (t *Table) Size() int { return len(t.data) }

// Rows parses the data rows from (inclusive) to to (exclusive), which the
// caller keeps within 0 … Len().
func (t *Table) Rows(from, to int) [][]string {
	if from >= to {
		return nil
	}
	end := uint32(len(t.data))
	if to < len(t.starts) {
		end = t.starts[to]
	}
	r := csv.NewReader(bytes.NewReader(t.data[t.starts[from]:end]))
	r.FieldsPerRecord = len(t.Header)
	rows := make([][]string, 0, to-from)
	for range to - from {
		rec, err := r.Read()
		if err != nil {
			panic(fmt.Sprintf("table: row read at start cannot be read again: %v", err))
		}
		rows = append(rows, rec)
	}
	return rows
}

// each calls f with every data row, in one pass; the record is reused.
func (t *Table) each(f func(rec []string)) {
	if len(t.starts) == 0 {
		return
	}
	r := csv.NewReader(bytes.NewReader(t.data[t.starts[0]:]))
	r.FieldsPerRecord = len(t.Header)
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			panic(fmt.Sprintf("table: row read at start cannot be read again: %v", err))
		}
		f(rec)
	}
}

// Numeric reports, per column, whether every non-empty cell (and at least
// one) is a JSON number as written (no leading zeros, no +, no hex or
// inf), so that it can be given as numbers: a column of ZIP codes or IDs
// like 007 stays text.
func (t *Table) Numeric() []bool { return t.numeric }

// exact reports a number that every JSON reader takes as written: finite
// as a float64 (not 1e400), not a nonzero that rounds to zero (1e-400),
// and an integer within ±2^53 (JavaScript's exact range: a 20-digit ID
// would come out changed).
func exact(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return false
	}
	mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
	if f == 0 && strings.Trim(mantissa, "-0.") != "" {
		return false // digits other than zero, read as zero
	}
	if !strings.ContainsAny(s, ".eE") {
		n, err := strconv.ParseInt(s, 10, 64)
		return err == nil && n >= -(1<<53) && n <= 1<<53
	}
	return true
}

// isNumber reports whether s is a JSON number (RFC 8259 section 6), with
// nothing around it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(s string) bool {
	i := 0
	digits := func() bool {
		n := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// WriteCSV writes the table as CSV: the header normalised (trimmed), the
// rows as the file has them, with a BOM when the file had one or bom is
// set.
func (t *Table) WriteCSV(w io.Writer, bom bool) error {
	var head bytes.Buffer
	if err := t.writeHeader(&head, bom); err != nil {
		return err
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	if len(t.starts) == 0 {
		return nil
	}
	_, err := w.Write(t.data[t.starts[0]:])
	return err
}

// writeHeader writes the CSV's first line (and BOM).
func (t *Table) writeHeader(b *bytes.Buffer, bom bool) error {
	if bom || t.BOM {
		b.WriteString(utf8BOM)
	}
	cw := csv.NewWriter(b)
	cw.UseCRLF = t.crlf // one line ending in the whole download
	cw.Write(t.Header)
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the rows as an array of objects keyed by the header,
// keys in column order (a Go map would sort them). Numeric columns give
// numbers (null for an empty cell); the others strings.
func (t *Table) WriteJSON(w io.Writer) error {
	keys := make([][]byte, len(t.Header))
	for i, h := range t.Header {
		keys[i] = append(jsonstr.Append(nil, h), ':')
	}
	b := make([]byte, 0, 64<<10)
	var werr error
	flush := func() {
		if werr == nil {
			_, werr = w.Write(b)
		}
		b = b[:0]
	}
	b = append(b, '[')
	first := true
	t.each(func(row []string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '{')
		for i, cell := range row {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[i]...)
			switch {
			case t.numeric[i] && cell == "":
				b = append(b, "null"...)
			case t.numeric[i]:
				b = append(b, cell...) // already a valid JSON number
			default:
				b = jsonstr.Append(b, cell)
			}
		}
		b = append(b, '}')
		if len(b) > 60<<10 {
			flush()
		}
	})
	b = append(b, "]\n"...)
	flush()
	return werr
}
