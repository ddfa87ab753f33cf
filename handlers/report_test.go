package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/formgate/formgate/web"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name, in string
		rows     int
		err      string
	}{
		{"ok", "a,b\n1,2\n3,4\n", 2, ""},
		{"header only", "a,b\n", 0, ""},
		{"BOM and spaces", "\xef\xbb\xbf a ,b\n1,2\n", 1, ""},
		{"quoted comma", "a,b\n\"1,5\",2\n", 1, ""},
		{"empty", "", 0, "empty"},
		{"ragged", "a,b\n1\n", 0, "wrong number of fields"},
		{"blank header", "a,,c\n1,2,3\n", 0, "column 2 is empty"},
		{"duplicate header", "a,a\n1,2\n", 0, `"a" appears twice`},
		{"bad quote", "a,b\n\"1,2\n", 0, "quote"},
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
			if tt.name == "BOM and spaces" && tab.Header[0] != "a" {
				t.Fatalf("header[0] = %q, want a", tab.Header[0])
			}
		})
	}
}

func TestReportFormats(t *testing.T) {
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ParseCSV([]byte("Zeta,Alpha,Note\n1,2,\"say \"\"hi\"\"\"\n3,4,<i>\n"))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := NewReport("T", "t.csv", tab, pages, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, target, accept string
		status               int
		contentType          string
		body                 string // exact for json/csv, substring for html
	}{
		{"html default", "/report", "*/*", 200, "text/html; charset=utf-8", `<th scope="col">Zeta</th>`},
		{"html for browsers", "/report", htmlAcc, 200, "text/html; charset=utf-8", `<caption>T (2 rows)</caption>`},
		{"json by Accept", "/report", "application/json", 200, "application/json",
			`[{"Zeta":"1","Alpha":"2","Note":"say \"hi\""},{"Zeta":"3","Alpha":"4","Note":"\u003ci\u003e"}]` + "\n"},
		{"json by query wins over Accept", "/report?format=json", htmlAcc, 200, "application/json", `[{"Zeta":"1"`},
		{"csv by Accept", "/report", "text/csv", 200, "text/csv; charset=utf-8", "Zeta,Alpha,Note\n1,2,\"say \"\"hi\"\"\"\n3,4,<i>\n"},
		{"csv by query", "/report?format=csv", "", 200, "text/csv; charset=utf-8", "Zeta,Alpha,Note\n"},
		{"unknown format", "/report?format=xlsx", "", 400, "text/plain; charset=utf-8", "use html, json or csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			w := httptest.NewRecorder()
			rp.ServeHTTP(w, r)
			body, _ := io.ReadAll(w.Result().Body)
			if w.Code != tt.status || w.Header().Get("Content-Type") != tt.contentType {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Header().Get("Content-Type"), tt.status, tt.contentType)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Fatalf("body %q lacks %q", body, tt.body)
			}
			if strings.Contains(tt.contentType, "json") {
				var rows []map[string]string
				if err := json.Unmarshal(body, &rows); err != nil || len(rows) != 2 || rows[1]["Note"] != "<i>" {
					t.Fatalf("JSON does not decode to the table: %v %v", rows, err)
				}
			}
			if tt.status == 200 && w.Header().Get("Cache-Control") != "no-store" {
				t.Fatal("report served without Cache-Control: no-store")
			}
		})
	}
	w := httptest.NewRecorder()
	rp.ServeHTTP(w, httptest.NewRequest("GET", "/report?format=csv", nil))
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="t.csv"` {
		t.Fatalf("Content-Disposition = %q", cd)
	}
}
