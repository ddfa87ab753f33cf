package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/accept"
)

const htmlAcc = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestReportFormats(t *testing.T) {
	rp := newReport(t, "Zeta,Alpha,Note\n1,2,\"say \"\"hi\"\"\"\n3,4,<i>\n", Config{})
	tests := []struct {
		name, target, accept string
		status               int
		contentType          string
		body                 string // exact for json/csv, substring for html
	}{
		{"html default", "/report", "*/*", 200, "text/html; charset=utf-8", `<th scope="col">Zeta</th>`},
		{"html for browsers", "/report", htmlAcc, 200, "text/html; charset=utf-8", `<caption>T (2 rows)</caption>`},
		{"html escapes cells", "/report", htmlAcc, 200, "text/html; charset=utf-8", `<td>&lt;i&gt;</td>`},
		{"html download links keep the path", "/report", htmlAcc, 200, "text/html; charset=utf-8", `<a href="?format=csv">CSV</a>`},
		{"json by Accept", "/report", "application/json", 200, "application/json",
			`[{"Zeta":1,"Alpha":2,"Note":"say \"hi\""},{"Zeta":3,"Alpha":4,"Note":"<i>"}]` + "\n"},
		{"json by query wins over Accept", "/report?format=json", htmlAcc, 200, "application/json", `[{"Zeta":1`},
		{"format in any case", "/report?format=CSV", "", 200, "text/csv; charset=utf-8", "Zeta,Alpha,Note\n"},
		{"q-values: csv over json", "/report", "text/csv, application/json;q=0.1", 200, "text/csv; charset=utf-8", "Zeta,Alpha,Note\n"},
		{"q-values: json over html", "/report", "application/json, text/html;q=0.5", 200, "application/json", `[{"Zeta":1`},
		{"q=0 refuses", "/report", "text/html;q=0, text/csv;q=0.3, application/json;q=0.2", 200, "text/csv; charset=utf-8", "Zeta,"},
		{"nothing acceptable", "/report", "image/png", 406, "text/plain; charset=utf-8", "text/html, application/json or text/csv"},
		{"csv for Excel", "/report?format=csv&bom=1", "", 200, "text/csv; charset=utf-8", "\xef\xbb\xbfZeta,Alpha,Note\n"},
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
				var rows []map[string]any
				if err := json.Unmarshal(body, &rows); err != nil || len(rows) != 2 || rows[1]["Note"] != "<i>" || rows[1]["Zeta"] != 3.0 {
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
	if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename=t.csv` {
		t.Fatalf("Content-Disposition = %q", cd)
	}
}

// The logout button is there for a session and posts to the gate's
// route; Basic callers, who have no session, get no button.
func TestReportLogoutButton(t *testing.T) {
	rp := newReport(t, "A\n1\n", Config{})
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("s", 32)), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(rp)
	login := httptest.NewRequest("POST", "http://127.0.0.1/report", strings.NewReader("username=anna&password=pw"))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, login)
	if !strings.Contains(w.Body.String(), `<form method="post" action="report/_formgate/logout">`) {
		t.Fatalf("session page without a logout button:\n%s", w.Body)
	}
	r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
	r.SetBasicAuth("anna", "pw")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || strings.Contains(w.Body.String(), "Log out") {
		t.Fatalf("Basic page: %d, with a logout button", w.Code)
	}
}

// Every download name gives one header a client can read back.
func TestContentDisposition(t *testing.T) {
	for _, name := range []string{"t.csv", "Verkäufe 2026.csv", `Q1 "final".csv`, "a\\b.csv", "new\nline.csv", "日本.csv"} {
		cd := contentDisposition(name)
		_, params, err := mime.ParseMediaType(cd)
		if err != nil || params["filename"] != name {
			t.Errorf("%q: %q reads back as %q (%v)", name, cd, params["filename"], err)
		}
	}
}

// newReport is a report of csv with c's other settings, title T and
// download t.csv.
func newReport(t testing.TB, csv string, c Config) *Report {
	t.Helper()
	c.Title, c.Filename = "T", "t.csv"
	if c.Source == nil {
		c.Source = Bytes("test", []byte(csv))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	rp, err := New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// downShares is a share-link list that cannot be read.
type downShares struct{ *formgate.MemoryShares }

func (downShares) List(context.Context, string) ([]formgate.Share, error) {
	return nil, errors.New("store down")
}

// The report page of a user whose list of links cannot be read says so,
// still offers to make a link, and is not kept: once the list reads
// again (empty, so the page is one that may be kept), the note is gone.
func TestReportShareListDown(t *testing.T) {
	rp := newReport(t, "A\n1\n", Config{})
	shares := &downShares{formgate.NewMemoryShares()}
	var list formgate.Shares = shares
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), ShareLinks: true, Shares: list})
	if err != nil {
		t.Fatal(err)
	}
	page := func(g *formgate.Gate) string {
		r := httptest.NewRequest("GET", "http://127.0.0.1/report", nil)
		r.SetBasicAuth("anna", "pw")
		w := httptest.NewRecorder()
		g.Protect(rp).ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	if p := page(g); !strings.Contains(p, "could not be listed just now") || !strings.Contains(p, `id="share-form"`) {
		t.Fatalf("page with the list down:\n%s", p)
	}
	up, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), ShareLinks: true, Shares: shares.MemoryShares})
	if err != nil {
		t.Fatal(err)
	}
	if p := page(up); strings.Contains(p, "could not be listed") || !strings.Contains(p, `id="share-form"`) {
		t.Fatalf("the page kept from the outage:\n%s", p)
	}
}

// What a header decided is remembered for its next request only while it
// is the same header: any order of headers, from any number of clients
// at once, decides as reading each afresh.
func TestHeaderMemo(t *testing.T) {
	accepts := []string{"text/html", "application/json", "*/*", "text/csv;q=0.5, application/json;q=0.4", "image/png", ""}
	encodings := []string{"gzip", "br", "gzip;q=0", "*", "identity, x-gzip", ""}
	rp := newReport(t, "A\n1\n", Config{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				a, e := accepts[(i*(g+1))%len(accepts)], encodings[(i*(g+2))%len(encodings)]
				r := httptest.NewRequest("GET", "/report", nil)
				r.Header.Set("Accept", a)
				r.Header.Set("Accept-Encoding", e)
				want := ""
				if w := accept.Negotiate([]string{a}, media...); w != "" {
					for _, f := range formats {
						if f.media == w {
							want = f.name
						}
					}
				}
				if got, _ := rp.negotiate(r); got != want {
					t.Errorf("Accept %q: %q, want %q", a, got, want)
				}
				if got, want := rp.acceptsGzip([]string{e}), accept.Coding([]string{e}, "gzip", "x-gzip"); got != want {
					t.Errorf("Accept-Encoding %q: %v, want %v", e, got, want)
				}
			}
		})
	}
	wg.Wait()
}

// The CSV for Excel neutralises formulas, compressed or not; the plain CSV
// is the file.
func TestExcelDownloadNeutralisesFormulas(t *testing.T) {
	const csv = "Link,Sum,Minus,Plus\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",@SUM(1+1),-1,+1.5\n"
	rp := newReport(t, csv, Config{})
	for _, gz := range []bool{false, true} {
		r := httptest.NewRequest("GET", "/report?format=csv&bom=1", nil)
		if gz {
			r.Header.Set("Accept-Encoding", "gzip")
		}
		w := httptest.NewRecorder()
		rp.ServeHTTP(w, r)
		body := w.Body.Bytes()
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		want := "\xef\xbb\xbfLink,Sum,Minus,Plus\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1+1),-1,+1.5\n"
		if string(body) != want || (!gz && w.Header().Get("Content-Length") != strconv.Itoa(len(want))) {
			t.Errorf("gzip=%v: %q (Content-Length %s), want %q", gz, body, w.Header().Get("Content-Length"), want)
		}
	}
	r := httptest.NewRequest("GET", "/report?format=csv", nil)
	w := httptest.NewRecorder()
	rp.ServeHTTP(w, r)
	if w.Body.String() != csv {
		t.Errorf("plain CSV: %q", w.Body.String())
	}
}
