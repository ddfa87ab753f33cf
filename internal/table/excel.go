package table

import (
	"encoding/base64"
	"encoding/csv"
	"io"
	"strings"

	"github.com/formgate/formgate/internal/frontdoor"
)

// The "CSV for Excel" download is the CSV with a byte-order mark, and
// with every cell a spreadsheet would run as a formula neutralised
// (OWASP, "CSV injection"): whoever can put a row into the exported data
// must not run =HYPERLINK(…) or =cmd|' /C calc'!A0 on the reader's
// machine. The plain CSV stays byte for byte the file.

// formula reports a cell a spreadsheet may read as a formula: one that
// starts with =, +, -, @, a tab or a carriage return — unless the whole
// cell is a plain number (-1, +1.5, 1e3), which stays a number.
func formula(cell string) bool {
	if cell == "" {
		return false
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !plainNumber(cell)
	}
	return false
}

// plainNumber reports whether s is [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)?
// with D a digit: a number as a spreadsheet reads one. (Written out, not
// a regexp: compiling one cost every cold start 0.05 ms, and linking the
// package, size.)
func plainNumber(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if digits() > 0 {
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	} else if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// neutralise puts a ' in front of the formulas of rec (in place): Excel
// and LibreOffice show the cell as text, without the quote. A spreadsheet
// set to read ';' as the separator (Excel in much of Europe) splits a
// cell at each ';': what follows one is neutralised as a cell's start is.
func neutralise(rec []string) []string {
	for i, c := range rec {
		if !strings.Contains(c, ";") {
			if formula(c) {
				rec[i] = "'" + c
			}
			continue
		}
		parts := strings.Split(c, ";")
		for j, p := range parts {
			if formula(p) {
				parts[j] = "'" + p
			}
		}
		rec[i] = strings.Join(parts, ";")
	}
	return rec
}

// WriteExcelCSV writes the CSV for Excel: a byte-order mark (Excel reads
// UTF-8 right only after one), the header and rows with their formulas
// neutralised, quoted as encoding/csv quotes, in the file's line ending.
func (t *Table) WriteExcelCSV(w io.Writer) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = t.crlf
	cw.Write(neutralise(append([]string(nil), t.Header...)))
	var err error
	t.each(func(rec []string) {
		if err == nil {
			err = cw.Write(neutralise(rec))
		}
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// ExcelCSVSize is the size of WriteExcelCSV's output, counted by writing
// it once, the first time it is asked (not at start: most reports are
// never downloaded for Excel).
func (t *Table) ExcelCSVSize() Size {
	t.excelOnce.Do(func() {
		var c counter
		t.WriteExcelCSV(&c)
		t.excel = Size{Raw: c.n, InEvent: c.n + c.esc}
		if t.binary {
			t.excel.InEvent = base64.StdEncoding.EncodedLen(c.n)
		}
	})
	return t.excel
}

// counter counts what is written to it, and what escaping it in a JSON
// string would add.
type counter struct{ n, esc int }

func (c *counter) Write(b []byte) (int, error) {
	c.n += len(b)
	c.esc += frontdoor.Escapes(b)
	return len(b), nil
}
