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
	"strings"
)

// Table is a parsed CSV report: a header row and data rows of equal width.
type Table struct {
	Header []string
	Rows   [][]string
}

// ParseCSV reads a CSV report: every row must have as many fields as the
// header, and header names must be present and unique (they become JSON
// keys). A leading byte-order mark and spaces around header names are
// dropped.
func ParseCSV(data []byte) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // spreadsheet exports often start with a BOM
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
	return &Table{Header: records[0], Rows: records[1:]}, nil
}

// JSON renders the rows as objects keyed by the header, keys in column
// order (a Go map would sort them).
func (t *Table) JSON() ([]byte, error) {
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
			v, err := json.Marshal(cell)
			if err != nil {
				return nil, err
			}
			b.Write(keys[i])
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// CSV renders the table as CSV again (normalised: header trimmed, no BOM).
func (t *Table) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(t.Header)
	w.WriteAll(t.Rows)
	if err := w.Error(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
