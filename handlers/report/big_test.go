package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/testkit/bigcsv"
)

// get serves target to rp with headers (name, value pairs) and a front
// door limit (0: none), and returns the answer with its body decompressed.
func get(t *testing.T, rp *Report, target string, limit int, headers ...string) (*httptest.ResponseRecorder, []byte) {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	if limit > 0 {
		r = r.WithContext(frontdoor.With(r.Context(), frontdoor.Info{MaxResponse: limit}))
	}
	w := httptest.NewRecorder()
	rp.ServeHTTP(w, r)
	body := w.Body.Bytes()
	if w.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: not gzip: %v", target, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: bad gzip: %v", target, err)
		}
	}
	return w, body
}

// Every format is compressed for a client that takes gzip, the same bytes
// as uncompressed, the whole formats compressed once.
func TestGzip(t *testing.T) {
	rp := newReport(t, string(bigcsv.Generate(2500)), Config{})
	for _, target := range []string{"/report", "/report?page=2", "/report?format=json", "/report?format=csv", "/report?format=csv&bom=1"} {
		plain, pb := get(t, rp, target, 0)
		for _, ae := range []string{"gzip, deflate, br", "x-gzip", "*", "br;q=1, gzip;q=0.5"} {
			w, b := get(t, rp, target, 0, "Accept-Encoding", ae)
			if w.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(b, pb) {
				t.Errorf("%s with %q: encoding %q, same body %v", target, ae, w.Header().Get("Content-Encoding"), bytes.Equal(b, pb))
			}
			if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", target, w.Header().Get("Vary"))
			}
			if w.Body.Len()*3 > len(pb) {
				t.Errorf("%s: %d bytes compressed from %d", target, w.Body.Len(), len(pb))
			}
		}
		for _, ae := range []string{"", "identity", "gzip;q=0", "*, gzip;q=0", "br", "*;q=0"} {
			if w, _ := get(t, rp, target, 0, "Accept-Encoding", ae); w.Header().Get("Content-Encoding") != "" {
				t.Errorf("%s with %q: compressed", target, ae)
			}
		}
		if plain.Header().Get("Content-Length") != fmt.Sprint(len(pb)) {
			t.Errorf("%s: Content-Length %q for %d bytes", target, plain.Header().Get("Content-Length"), len(pb))
		}
	}
	s := rp.cur.Load()
	first := s.compressed(wholeJSON, rp.c.Logger)
	get(t, rp, "/report?format=json", 0, "Accept-Encoding", "gzip")
	if again := s.compressed(wholeJSON, rp.c.Logger); &again[0] != &first[0] {
		t.Error("JSON compressed again")
	}
}

// The HTML view shows one page of rows with links to the others; JSON
// and CSV stay whole.
func TestPaging(t *testing.T) {
	rp := newReport(t, string(bigcsv.Generate(2500)), Config{})
	for _, tt := range []struct {
		target     string
		status     int
		has, hasnt []string
	}{
		{"/report", 200, []string{"(2500 rows; rows 1–1000)", "Item 0000", "Item 0999", `href="?page=2" rel="next"`, "of 3", "Download all 2500 rows"}, []string{"Item 1000", `rel="prev"`}},
		{"/report?page=2", 200, []string{"rows 1001–2000", "Item 1000", "Item 1999", `href="?page=1" rel="prev"`, `href="?page=3" rel="next"`}, []string{"Item 0999<", "Item 2000"}},
		{"/report?page=3", 200, []string{"rows 2001–2500", "Item 2499", `href="?page=2" rel="prev"`}, []string{`rel="next"`}},
		{"/report?page=4", 404, []string{"page 4 of a report of 3 pages"}, nil},
		{"/report?page=0", 400, []string{"from 1 to 3"}, nil},
		{"/report?page=two", 400, []string{"not a page number"}, nil},
	} {
		w, b := get(t, rp, tt.target, 0)
		if w.Code != tt.status {
			t.Errorf("%s: %d", tt.target, w.Code)
		}
		for _, s := range tt.has {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s: no %q", tt.target, s)
			}
		}
		for _, s := range tt.hasnt {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: has %q", tt.target, s)
			}
		}
	}
	_, js := get(t, rp, "/report?format=json&page=2", 0)
	var rows []map[string]any
	if err := json.Unmarshal(js, &rows); err != nil || len(rows) != 2500 {
		t.Fatalf("JSON: %d rows, %v", len(rows), err)
	}
	small := newReport(t, "A\n1\n", Config{})
	if _, b := get(t, small, "/report", 0); strings.Contains(string(b), `class="pager"`) || !strings.Contains(string(b), "(1 rows)") {
		t.Errorf("a one-page report with a pager:\n%s", b)
	}
}

// An answer a front door cannot carry gets a 406 that names what fits,
// never the oversized answer (a 502 from the door).
func TestTooLarge(t *testing.T) {
	var logs bytes.Buffer
	csv := bigcsv.Generate(40000) // 1.5 MB CSV, 3.9 MB JSON
	rp := newReport(t, string(csv), Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if !strings.Contains(logs.String(), "report answer too large for a front door") || !strings.Contains(logs.String(), "format=json") {
		t.Errorf("no start-up warning:\n%s", logs.String())
	}
	const alb = frontdoor.ALBLimit
	for _, tt := range []struct {
		target, encoding string
		limit, status    int
		has              []string
	}{
		{"/report?format=json", "", alb, 406, []string{"larger than this front door can return (1 MB, an ALB's limit", "JSON compressed (?format=json", "Accept-Encoding: gzip", "CSV compressed", "?page=1 … ?page=40"}},
		{"/report?format=json", "gzip", alb, 200, nil},
		{"/report?format=csv", "", alb, 406, []string{"CSV compressed"}},
		{"/report?format=csv", "", frontdoor.LambdaLimit, 200, nil},
		{"/report?format=json", "", frontdoor.LambdaLimit, 200, nil},
		{"/report?page=7", "", alb, 200, nil},
	} {
		w, b := get(t, rp, tt.target, tt.limit, "Accept-Encoding", tt.encoding)
		if w.Code != tt.status {
			t.Errorf("%s (%s) limit %d: %d %.200s", tt.target, tt.encoding, tt.limit, w.Code, b)
		}
		if tt.status == 200 && (w.Header().Get("Content-Encoding") == "gzip" && base64Len(w.Body.Len())+headroom > tt.limit || w.Body.Len()+headroom > tt.limit) {
			t.Errorf("%s: %d bytes through a %d-byte door", tt.target, w.Body.Len(), tt.limit)
		}
		for _, s := range tt.has {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s: 406 without %q:\n%s", tt.target, s, b)
			}
		}
	}
}

// source is a CSV that a test changes and breaks.
type source struct {
	mu      sync.Mutex
	data    string
	version int
	err     error
	loads   int
}

func (s *source) set(data string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if data != s.data {
		s.version++
	}
	s.data, s.err = data, err
}

func (s *source) Load(_ context.Context, have string) ([]byte, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if s.err != nil {
		return nil, "", s.err
	}
	v := fmt.Sprint(s.version)
	if v == have {
		return nil, "", ErrUnchanged
	}
	return []byte(s.data), v, nil
}

func (s *source) String() string { return "test source" }

// A new CSV shows after the refresh interval; while the source fails, or
// has a broken CSV, the last good copy is served and the log says so once.
func TestRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &source{data: "A\nfirst\n"}
		var logs bytes.Buffer
		rp := newReport(t, "", Config{Source: src, Refresh: time.Minute, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		shows := func(want string) {
			t.Helper()
			if _, b := get(t, rp, "/report?format=csv", 0); !strings.Contains(string(b), want) {
				t.Fatalf("serves %q, want %q", b, want)
			}
		}
		src.set("A\nsecond\n", nil)
		shows("first")
		time.Sleep(61 * time.Second)
		shows("second")
		if src.loads != 2 {
			t.Errorf("%d loads", src.loads)
		}
		shows("second")
		if src.loads != 2 {
			t.Errorf("loaded before the interval: %d loads", src.loads)
		}
		src.set("A\nsecond\n", errors.New("S3 is down"))
		for range 5 {
			time.Sleep(61 * time.Second)
			shows("second")
		}
		if n := strings.Count(logs.String(), "serving the last good copy"); n != 1 {
			t.Errorf("%d outage lines:\n%s", n, logs.String())
		}
		src.set("A,A\n1,2\n", nil) // duplicate header: not a report
		time.Sleep(61 * time.Second)
		shows("second")
		if !strings.Contains(logs.String(), "report source back") || !strings.Contains(logs.String(), "not a valid report CSV") {
			t.Errorf("log:\n%s", logs.String())
		}
		src.set("A\nthird\n", nil)
		time.Sleep(61 * time.Second)
		shows("third")
	})
}

// The pages kept per version stay bounded however many are asked for,
// and each page is still the right one after the cache was emptied.
func TestPageCacheBounded(t *testing.T) {
	rp := newReport(t, string(bigcsv.Generate(400)), Config{PageRows: 5})
	for round := range 2 {
		for n := 1; n <= 80; n++ {
			w, b := get(t, rp, fmt.Sprintf("/report?page=%d", n), 0, "Accept-Encoding", "gzip")
			if want := fmt.Sprintf("Item %04d", (n-1)*5); w.Code != 200 || !strings.Contains(string(b), want) {
				t.Fatalf("round %d, page %d: %d without %q", round, n, w.Code, want)
			}
			s := rp.cur.Load()
			s.mu.Lock()
			kept := len(s.pages)
			s.mu.Unlock()
			if kept > maxPages {
				t.Fatalf("%d pages kept, bound %d", kept, maxPages)
			}
		}
	}
}

// slowSource answers its second load only when released.
type slowSource struct {
	loads   int
	release chan struct{}
}

func (s *slowSource) Load(ctx context.Context, have string) ([]byte, string, error) {
	s.loads++
	if s.loads == 1 {
		return []byte("A\nold\n"), "1", nil
	}
	select {
	case <-s.release:
		return []byte("A\nnew\n"), "2", nil
	case <-ctx.Done():
		return nil, "", ctx.Err()
	}
}

func (s *slowSource) String() string { return "slow source" }

// A client that hangs up during a refresh gets its answer from the copy in
// hand at once, and the refresh it started still finishes: the next
// request sees the new rows.
func TestRefreshOutlivesClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &slowSource{release: make(chan struct{})}
		rp := newReport(t, "", Config{Source: src, Refresh: time.Minute})
		time.Sleep(61 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		r := httptest.NewRequest("GET", "/report?format=csv", nil).WithContext(ctx)
		w := httptest.NewRecorder()
		go func() { time.Sleep(time.Second); cancel() }()
		rp.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), "old") {
			t.Fatalf("the client that left got %q", w.Body.String())
		}
		close(src.release)
		synctest.Wait()
		if _, b := get(t, rp, "/report?format=csv", 0); !strings.Contains(string(b), "new") {
			t.Fatalf("after the refresh: %q", b)
		}
	})
}

// A page whose rows are themselves too large for the door gets the 406
// that names the downloads, not the page.
func TestPageTooLarge(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,blob\n")
	x := uint64(1)
	for i := range 400 {
		fmt.Fprintf(&csv, "%d,", i)
		for range 400 { // 6,400 hex digits a row that gzip cannot shrink much
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			fmt.Fprintf(&csv, "%016x", x)
		}
		csv.WriteString("\n")
	}
	rp := newReport(t, csv.String(), Config{})
	w, b := get(t, rp, "/report", frontdoor.ALBLimit, "Accept-Encoding", "gzip")
	if w.Code != 406 || !strings.Contains(string(b), "larger than this front door can return") || strings.Contains(string(b), "the HTML view") {
		t.Fatalf("%d %.300s", w.Code, b)
	}
	if w, _ := get(t, rp, "/report", frontdoor.LambdaLimit, "Accept-Encoding", "gzip"); w.Code != 200 {
		t.Fatalf("through a 6 MB door: %d", w.Code)
	}
}
