package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/internal/testkit/gobuild"
)

// The cost of the gate and the built-in report over loopback: cmd/local
// against a bare net/http server (testdata/bare) that writes the same
// status, headers and page bytes, each its own process, loaded in turn by
// the same 16 keep-alive clients in this process (on the same cores as
// the servers). Run with make bench.

// loadClients is the number of clients loading a server at once.
const loadClients = 16

// loadSlice is how long each server is loaded in one round; a round loads
// both, in turn, so that what else runs on the machine weighs on both.
const loadSlice = 50 * time.Millisecond

// loadCase is one kind of request.
type loadCase struct {
	name string
	prep func(*http.Request)
}

func BenchmarkLoopback(b *testing.B) {
	users, err := filepath.Abs("../../htpasswd/testdata/users.htpasswd") // anna: bcrypt, cost 10
	if err != nil {
		b.Fatal(err)
	}
	// Share links are on and kept in memory, as cmd/local runs by default;
	// the request log is at its default level (info) too, a line a
	// request read by this process as a terminal would read it.
	s := startLocalBin(b, localBin(b), nil, "AUTH_USERS_FILE="+users, "SESSION_SECRET="+strings.Repeat("s", 32))
	s.stderr.Drop()
	cookie := formLogin(b, s.URL)
	cases := loadCases(cookie)
	bareURL := startBare(b, s.URL, cases)
	ours, bare := newLoadClient(), newLoadClient()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			want := answerLen(b, ours, s.URL, c.prep)
			var o, z []float64
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					z = append(z, load(b, bare, bareURL+"/"+c.name, c.prep, want))
					o = append(o, load(b, ours, s.URL, c.prep, want))
				} else {
					o = append(o, load(b, ours, s.URL, c.prep, want))
					z = append(z, load(b, bare, bareURL+"/"+c.name, c.prep, want))
				}
			}
			b.ReportMetric(1e9/median(o), "ns/op") // per request of cmd/local's
			b.ReportMetric(median(o), "req/s")
			b.ReportMetric(median(z), "bare-req/s")
			b.ReportMetric(median(o)/median(z), "rate-x-bare")
		})
	}
}

// loadCases are a browser's cookie GET and a script's Basic GET (the
// bcrypt user, whose verified credentials htpasswd keeps), plain and
// gzip'd.
func loadCases(cookie string) []loadCase {
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	var cases []loadCase
	for _, enc := range []string{"plain", "gzip"} {
		ae := ""
		if enc == "gzip" {
			ae = "gzip, deflate, br"
		}
		cases = append(cases,
			loadCase{"cookie-" + enc, func(r *http.Request) {
				r.Header.Set("Accept", browser)
				r.Header.Set("Cookie", "formgate="+cookie)
				if ae != "" {
					r.Header.Set("Accept-Encoding", ae)
				}
			}},
			loadCase{"basic-" + enc, func(r *http.Request) {
				r.Header.Set("Accept", "*/*")
				r.SetBasicAuth("anna", "correct horse")
				if ae != "" {
					r.Header.Set("Accept-Encoding", ae)
				}
			}})
	}
	return cases
}

// formLogin logs anna in with the form and returns the session cookie.
func formLogin(tb testing.TB, u string) string {
	resp, err := http.PostForm(u, url.Values{"username": {"anna"}, "password": {"correct horse"}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "formgate" {
			return c.Value
		}
	}
	tb.Fatalf("form login: %d, no cookie", resp.StatusCode)
	return ""
}

// startBare asks cmd/local at u once for each case and starts the bare
// server with those answers, each at /NAME; it returns its URL.
func startBare(b *testing.B, u string, cases []loadCase) string {
	type answer struct {
		Status int
		Header http.Header
		Body   []byte
	}
	answers := map[string]answer{}
	c := newLoadClient()
	for _, lc := range cases {
		r, _ := http.NewRequest("GET", u, nil)
		lc.prep(r)
		resp, err := c.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %d %v", lc.name, resp.StatusCode, err)
		}
		resp.Header.Del("Date") // net/http writes its own
		answers["/"+lc.name] = answer{resp.StatusCode, resp.Header, body}
	}
	js, err := json.Marshal(answers)
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "answers.json")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		b.Fatal(err)
	}
	bin := gobuild.Binary(b, gobuild.Build{Pkg: "./cmd/local/testdata/bare"})
	cmd := exec.Command(bin, "-answers", file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var line string
	if _, err := fmt.Fscanln(out, &line, &line); err != nil {
		b.Fatalf("bare server: %v", err)
	}
	return line
}

// newLoadClient is a client that keeps a connection per load client and
// leaves the body as it comes (no transparent gzip).
func newLoadClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: loadClients, DisableCompression: true,
	}}
}

// answerLen is the length of the body u answers with.
func answerLen(b *testing.B, c *http.Client, u string, prep func(*http.Request)) int {
	r, _ := http.NewRequest("GET", u, nil)
	prep(r)
	resp, err := c.Do(r)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%d %v", resp.StatusCode, err)
	}
	return len(body)
}

// median is the middle of xs (the mean of the two middle ones for an
// even count): the machine's other work makes the odd slice slow.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// load loads u with loadClients clients for loadSlice and returns the
// requests a second; every answer must be a 200 of want bytes.
func load(b *testing.B, c *http.Client, u string, prep func(*http.Request), want int) float64 {
	var n atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(loadSlice)
	for range loadClients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				r, _ := http.NewRequest("GET", u, nil)
				prep(r)
				resp, err := c.Do(r)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				got, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || int(got) != want {
					failed.Store(fmt.Sprintf("%s: %d, %d bytes of %d, %v", u, resp.StatusCode, got, want, err))
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	return float64(n.Load()) / time.Since(start).Seconds()
}

// BenchmarkServe is the gate and the built-in report in this process, as
// cmd/local wires them (share links on, their list in memory, the request
// log formatted at level info), against a bare handler writing the same
// status, headers and bytes: a cookie GET and a Basic GET of the bcrypt
// user (htpasswd keeps verified credentials), plain and gzip'd. The two
// are served in turn, a hundred requests at a time.
func BenchmarkServe(b *testing.B) {
	users, err := filepath.Abs("../../htpasswd/testdata/users.htpasswd")
	if err != nil {
		b.Fatal(err)
	}
	h := localHandler(b, "AUTH_USERS_FILE="+users, "SESSION_SECRET="+strings.Repeat("s", 32))
	login := httptest.NewRequest("POST", "http://127.0.0.1:8080/report", strings.NewReader("username=anna&password=correct+horse"))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, login)
	var cookie string
	for _, c := range w.Result().Cookies() {
		if c.Name == "formgate" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		b.Fatalf("form login: %d", w.Code)
	}
	for _, c := range loadCases(cookie) {
		b.Run(c.name, func(b *testing.B) {
			req := func() *http.Request {
				r := httptest.NewRequest("GET", "http://127.0.0.1:8080/report", nil)
				c.prep(r)
				return r
			}
			first := httptest.NewRecorder()
			h.ServeHTTP(first, req())
			if first.Code != 200 {
				b.Fatalf("%d %s", first.Code, first.Body)
			}
			header, body := first.Header().Clone(), first.Body.Bytes()
			bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				wh := w.Header()
				for k, v := range header {
					wh[k] = v
				}
				w.WriteHeader(http.StatusOK)
				w.Write(body)
			})
			// Blocks of requests in turn, so that each side's garbage is
			// mostly collected in its own time.
			const block = 100
			serve := func(h http.Handler) time.Duration {
				start := time.Now()
				for range block {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req())
					if w.Code != 200 || w.Body.Len() != len(body) {
						b.Fatalf("%d, %d bytes of %d", w.Code, w.Body.Len(), len(body))
					}
				}
				return time.Since(start)
			}
			var ours, base []float64
			for b.Loop() {
				base = append(base, float64(serve(bare).Nanoseconds())/block)
				ours = append(ours, float64(serve(h).Nanoseconds())/block)
			}
			b.ReportMetric(median(ours), "ns/op")
			b.ReportMetric(median(base), "bare-ns/op")
			b.ReportMetric(median(ours)/median(base), "time-x-bare")
		})
	}
}

// localHandler is the handler cmd/local serves with env (and what it
// makes up), its log formatted at level info and dropped.
func localHandler(b *testing.B, env ...string) http.Handler {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	s := madeUp(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	cfg, err := config.Load(s.getenv)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if _, err := oneProcess(&cfg, log); err != nil {
		b.Fatal(err)
	}
	h, err := cfg.Handler(context.Background(), s.getenv, log)
	if err != nil {
		b.Fatal(err)
	}
	return h
}
