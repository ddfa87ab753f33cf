package table

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
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
			if tab.Len() != tt.rows {
				t.Fatalf("rows = %d, want %d", tab.Len(), tt.rows)
			}
			if tt.header != nil && strings.Join(tab.Header, "|") != strings.Join(tt.header, "|") {
				t.Fatalf("header = %q, want %q", tab.Header, tt.header)
			}
		})
	}
}

func TestJSONNumbers(t *testing.T) {
	tab, err := ParseCSV([]byte("Name,Orders,Revenue,ZIP,Mixed,Signed,Empty,Spaced\nNorth,1204,184230.50,01234,12,+5,,12 \nSouth,,-3.5e2,99999,twelve,6,,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	js := jsonOf(t, tab)
	want := `[{"Name":"North","Orders":1204,"Revenue":184230.50,"ZIP":"01234","Mixed":"12","Signed":"+5","Empty":"","Spaced":"12 "},` +
		`{"Name":"South","Orders":null,"Revenue":-3.5e2,"ZIP":"99999","Mixed":"twelve","Signed":"6","Empty":"","Spaced":"3"}]` + "\n"
	if string(js) != want {
		t.Fatalf("JSON\n%s\nwant\n%s", js, want)
	}
	if !json.Valid(js) {
		t.Fatal("not valid JSON")
	}
}

// A CRLF file downloads with CRLF throughout, the header written again
// included.
func TestCSVLineEndings(t *testing.T) {
	for _, in := range []string{"a,b\r\n1,2\r\n", "a,b\n1,2\n", " a ,b\r\n1,2\r\n"} {
		tab, err := ParseCSV([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		tab.WriteCSV(&b, false)
		if want := strings.Replace(in, " a ", "a", 1); b.String() != want {
			t.Errorf("%q downloads as %q", in, b.String())
		}
	}
}

func TestCSVKeepsBOM(t *testing.T) {
	for _, tt := range []struct {
		in       string
		bom, out bool
	}{
		{"\xef\xbb\xbfa,b\n1,2\n", false, true},
		{"a,b\n1,2\n", false, false},
		{"a,b\n1,2\n", true, true},
	} {
		tab, err := ParseCSV([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := tab.WriteCSV(&buf, tt.bom); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if got := strings.HasPrefix(string(b), "\xef\xbb\xbf"); got != tt.out || !strings.HasSuffix(string(b), "a,b\n1,2\n") {
			t.Errorf("%q bom=%v: %q", tt.in, tt.bom, b)
		}
	}
}

// Numbers that a JSON reader would change stay strings.
func TestNumericExact(t *testing.T) {
	for cell, want := range map[string]bool{
		"12": true, "-0": true, "0.5": true, "1e3": true, "9007199254740992": true,
		"9007199254740993": false, "12345678901234567890123": false, "1e400": false, "1e-400": false,
		"0.0": true, "0e5": true,
	} {
		tab, err := ParseCSV([]byte("a\n" + cell + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := tab.Numeric()[0]; got != want {
			t.Errorf("%s: numeric = %v, want %v", cell, got, want)
		}
	}
}

func jsonOf(t testing.TB, tab *Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tab.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Rows parses any range again as the whole file was parsed, quoted line
// breaks and blank lines included.
func TestRows(t *testing.T) {
	tab, err := ParseCSV([]byte("a,b\r\n1,\"x\ny\"\r\n\r\n2,\"q\"\"\"\n3,4"))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1", "x\ny"}, {"2", `q"`}, {"3", "4"}}
	for from := 0; from <= 3; from++ {
		for to := from; to <= 3; to++ {
			got := tab.Rows(from, to)
			if fmt.Sprint(got) != fmt.Sprint(want[from:to]) && !(len(got) == 0 && to == from) {
				t.Errorf("Rows(%d, %d) = %q, want %q", from, to, got, want[from:to])
			}
		}
	}
	var csvOut bytes.Buffer
	tab.WriteCSV(&csvOut, false)
	again, err := ParseCSV(csvOut.Bytes())
	if err != nil || fmt.Sprint(again.Rows(0, again.Len())) != fmt.Sprint(want) {
		t.Errorf("CSV download reads back as %v (%v)", again.Rows(0, again.Len()), err)
	}
	if js := jsonOf(t, tab); string(js) != `[{"a":1,"b":"x\ny"},{"a":2,"b":"q\""},{"a":3,"b":"4"}]`+"\n" {
		t.Errorf("JSON %s", js)
	}
}

// eventSize is what b takes as a JSON string's content in an event, as
// lambdaproxy marshals it.
func eventSize(b []byte) int {
	if !utf8.Valid(b) {
		return base64.StdEncoding.EncodedLen(len(b))
	}
	var out bytes.Buffer
	e := json.NewEncoder(&out)
	e.SetEscapeHTML(false)
	e.Encode(string(b))
	return out.Len() - 3 // quotes and newline
}

// The sizes known from the one pass at parse are what the writers write.
func TestSizes(t *testing.T) {
	for _, in := range []string{
		"a\n", "a,b\n1,2\n", "a,b\n1,\n,x\n", "\xef\xbb\xbfName,\"Note \"\"q\"\"\"\nNorth,\"line\nbreak\"\nSouth,\"tab\there \\\\ back\"\n",
		"id,v\n007,1.5\n8,-2e3\n", "x\n\"\x01ctl\"\n", "é,ü\n日本,😀\n", "n\n1\n\n2\n", string(bigcsvSample),
		"Name,City\nJos\xe9,M\xfcnchen\n", "a\n\u2028x\u2029\n", "a,b\r\n1,2\r\n",
	} {
		tab, err := ParseCSV([]byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		js := jsonOf(t, tab)
		if got, want := tab.JSONSize(), (Size{len(js), eventSize(js)}); got != want {
			t.Errorf("%q: JSON size %+v, written %+v", in, got, want)
		}
		for _, bom := range []bool{false, true} {
			var b bytes.Buffer
			tab.WriteCSV(&b, bom)
			if got, want := tab.CSVSize(bom), (Size{b.Len(), eventSize(b.Bytes())}); got != want {
				t.Errorf("%q bom=%v: CSV size %+v, written %+v", in, bom, got, want)
			}
		}
		var x bytes.Buffer
		tab.WriteExcelCSV(&x)
		if got, want := tab.ExcelCSVSize(), (Size{x.Len(), eventSize(x.Bytes())}); got != want {
			t.Errorf("%q: Excel CSV size %+v, written %+v", in, got, want)
		}
	}
}

var bigcsvSample = []byte("Date,Region,Product,Units,Revenue (EUR)\n2026-01-01,North,Item 0000,1,0.00\n2026-01-02,South,Item 0001,8,0.37\n")

// The CSV for Excel neutralises what a spreadsheet would run (OWASP "CSV
// injection"): a ' before a cell that starts with =, +, -, @, a tab or a
// carriage return, unless the whole cell is a plain number.
func TestExcelCSV(t *testing.T) {
	in := "Name,=Header\n" +
		"\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n" +
		"=cmd|' /C calc'!A0,2\n" +
		"@SUM(1+1),3\n" +
		"+1,-1\n" +
		"+1.5,1e3\n" +
		"\"\t=1+1\",\"\r=2\"\n" +
		"-,-x\n" +
		"a;=cmd|' /C calc'!A0,x;1;+2\n" +
		"plain,a=b\n"
	tab, err := ParseCSV([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tab.WriteExcelCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "\xef\xbb\xbfName,'=Header\n" +
		"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1\n" +
		"'=cmd|' /C calc'!A0,2\n" +
		"'@SUM(1+1),3\n" +
		"+1,-1\n" +
		"+1.5,1e3\n" +
		"'\t=1+1,\"'\r=2\"\n" +
		"'-,'-x\n" +
		"a;'=cmd|' /C calc'!A0,x;1;+2\n" +
		"plain,a=b\n"
	if b.String() != want {
		t.Errorf("Excel CSV:\n%q\nwant\n%q", b.String(), want)
	}
	// The plain download is the file, byte for byte.
	var plain bytes.Buffer
	tab.WriteCSV(&plain, false)
	if plain.String() != in {
		t.Errorf("plain CSV changed:\n%q", plain.String())
	}
}

// plainNumber is the expression it is written out from, for any cell.
func FuzzPlainNumber(f *testing.F) {
	re := regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	for _, s := range []string{"", "1", "-1", "+1.5", "1.", ".5", ".", "-.5e3", "1e", "1e+", "1E-7", "1.2.3", "--1", "+", "=1", "1e3x", "12a", " 1", "1 ", "١", "0x10", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainNumber(s), re.MatchString(s); got != want {
			t.Fatalf("plainNumber(%q) = %v, the expression says %v", s, got, want)
		}
	})
}
