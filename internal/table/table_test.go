package table

import (
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name, in string
		header   []string // checked when set
		rows     int
		err      string
	}{
		{"ok", "a,b\n1,2\n3,4\n", []string{"a", "b"}, 2, ""},
		{"header only", "a,b\n", nil, 0, ""},
		{"BOM and spaces", "\xef\xbb\xbf a ,b\n1,2\n", []string{"a", "b"}, 1, ""},
		{"quoted comma", "a,b\n\"1,5\",2\n", nil, 1, ""},
		{"empty", "", nil, 0, "empty"},
		{"ragged", "a,b\n1\n", nil, 0, "wrong number of fields"},
		{"blank header", "a,,c\n1,2,3\n", nil, 0, "column 2 is empty"},
		{"duplicate header", "a,a\n1,2\n", nil, 0, `"a" appears twice`},
		{"bad quote", "a,b\n\"1,2\n", nil, 0, "quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ParseCSV([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Rows) != tt.rows {
				t.Fatalf("rows = %d, want %d", len(tab.Rows), tt.rows)
			}
			if tt.header != nil && strings.Join(tab.Header, "|") != strings.Join(tt.header, "|") {
				t.Fatalf("header = %q, want %q", tab.Header, tt.header)
			}
		})
	}
}
