// Package table reads the built-in report's CSV and renders it as JSON and
// CSV. It is strict so that a broken file fails the program at start, not
// a user's request.
package table

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Table is a parsed CSV report: a header row and data rows of equal width.
type Table struct {
	Header []string
	Rows   [][]string
	// BOM says the file began with a UTF-8 byte-order mark, which the CSV
	// download keeps: Excel reads UTF-8 right only with one.
	BOM bool
}

// ParseCSV reads a CSV report: every row must have as many fields as the
// header, and header names must be present and unique (they become JSON
// keys). A leading byte-order mark and spaces around header names are
// dropped.
func ParseCSV(data []byte) (*Table, error) {
	bom := bytes.HasPrefix(data, []byte(utf8BOM))
	data = bytes.TrimPrefix(data, []byte(utf8BOM)) // spreadsheet exports often start with a BOM
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("report CSV: %w", err)
	}
	if len(records) == 0 {
		return nil, errors.New("report CSV: the file is empty; it needs a header row")
	}
	seen := map[string]bool{}
	for i, h := range records[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("report CSV: header column %d is empty; every column needs a name", i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("report CSV: header %q appears twice; column names must be unique", h)
		}
		seen[h] = true
		records[0][i] = h
	}
	return &Table{Header: records[0], Rows: records[1:], BOM: bom}, nil
}

const utf8BOM = "\xef\xbb\xbf"

// Numeric reports, per column, whether every non-empty cell is a JSON
// number as written (no leading zeros, no +, no hex or inf), so that it can
// be given as numbers: a column of ZIP codes or IDs like 007 stays text.
func (t *Table) Numeric() []bool {
	num := make([]bool, len(t.Header))
	for i := range num {
		seen := false
		num[i] = true
		for _, row := range t.Rows {
			if row[i] == "" {
				continue
			}
			seen = true
			if !json.Valid([]byte(row[i])) || !isNumber(row[i]) || !exact(row[i]) {
				num[i] = false
				break
			}
		}
		num[i] = num[i] && seen
	}
	return num
}

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

// isNumber tells a valid JSON value that is a number, with no space
// around it, by its first and last bytes.
func isNumber(s string) bool {
	last := s[len(s)-1]
	return (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && last >= '0' && last <= '9'
}

// JSON renders the rows as objects keyed by the header, keys in column
// order (a Go map would sort them). Numeric columns give numbers (null
// for an empty cell); the others strings.
func (t *Table) JSON() ([]byte, error) {
	num := t.Numeric()
	keys := make([][]byte, len(t.Header))
	for i, h := range t.Header {
		k, err := json.Marshal(h)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, cell := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(keys[i])
			b.WriteByte(':')
			switch {
			case num[i] && cell == "":
				b.WriteString("null")
			case num[i]:
				b.WriteString(cell) // already a valid JSON number
			default:
				v, err := json.Marshal(cell)
				if err != nil {
					return nil, err
				}
				b.Write(v)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// CSV renders the table as CSV again (normalised: header trimmed), with
// a BOM when the source had one or bom is set.
func (t *Table) CSV(bom bool) ([]byte, error) {
	var b bytes.Buffer
	if bom || t.BOM {
		b.WriteString(utf8BOM)
	}
	w := csv.NewWriter(&b)
	w.Write(t.Header)
	w.WriteAll(t.Rows)
	if err := w.Error(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
