package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestLoad runs cmd/local built with the race detector on 127.0.0.1 and
// sends it 20,000 requests from 64 clients at once: session cookies, Basic
// of a bcrypt user, form logins, and bad requests of many kinds. Every
// answer must be the one expected, and the race detector must stay quiet.
// Clients come from different loopback addresses, as users would, so the
// failed-login limit of the attackers among them holds nobody else back.
func TestLoad(t *testing.T) {
	const total, workers = 20000, 64
	bin := localBin(t, "-race")
	users, err := filepath.Abs("../../htpasswd/testdata/users.htpasswd") // anna: bcrypt, cost 10
	if err != nil {
		t.Fatal(err)
	}
	s := startLocalBin(t, bin, nil, "AUTH_USERS_FILE="+users, "SESSION_SECRET="+strings.Repeat("s", 32), "LOG_LEVEL=error")

	// A session cookie to share, from one form login.
	cookie := func() *http.Cookie {
		resp, err := http.PostForm(s.URL, url.Values{"username": {"anna"}, "password": {"correct horse"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(resp.Cookies()) != 2 || resp.Cookies()[0].Name != "formgate" { // the session, then the device
			t.Fatalf("form login: %d", resp.StatusCode)
		}
		return resp.Cookies()[0]
	}()

	type kind struct {
		name string
		ok   []int // the statuses that are right for it
		make func(u string) *http.Request
	}
	get := func(u string) *http.Request { r, _ := http.NewRequest("GET", u, nil); return r }
	post := func(u, ct, body string) *http.Request {
		r, _ := http.NewRequest("POST", u, strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return r
	}
	const form = "application/x-www-form-urlencoded"
	good := []kind{
		{"cookie", []int{200}, func(u string) *http.Request { r := get(u); r.AddCookie(cookie); return r }},
		{"basic", []int{200}, func(u string) *http.Request { r := get(u); r.SetBasicAuth("anna", "correct horse"); return r }},
		{"form", []int{200}, func(u string) *http.Request {
			return post(u, form, url.Values{"username": {"anna"}, "password": {"correct horse"}}.Encode())
		}},
		{"browser", []int{200}, func(u string) *http.Request { r := get(u); r.Header.Set("Accept", "text/html"); return r }},
		{"json", []int{200}, func(u string) *http.Request { r := get(u + "?format=json"); r.AddCookie(cookie); return r }},
	}
	bad := []kind{
		{"wrong basic", []int{401, 429}, func(u string) *http.Request { r := get(u); r.SetBasicAuth("mallory", "guess"); return r }},
		{"wrong form", []int{401, 429}, func(u string) *http.Request {
			return post(u, form, url.Values{"username": {"mallory"}, "password": {"guess"}}.Encode())
		}},
		{"not basic", []int{401}, func(u string) *http.Request { r := get(u); r.Header.Set("Authorization", "Basic !!!"); return r }},
		{"forged cookie", []int{401}, func(u string) *http.Request { r := get(u); r.Header.Set("Cookie", "formgate=forged"); return r }},
		{"huge form", []int{413}, func(u string) *http.Request {
			return post(u, form, "username=anna&password="+strings.Repeat("x", 20<<10))
		}},
		{"broken form", []int{400}, func(u string) *http.Request { return post(u, form, "username=%zz") }},
		{"cross-site", []int{403}, func(u string) *http.Request {
			r := post(u, form, "username=anna&password=x")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}},
		{"elsewhere", []int{404}, func(u string) *http.Request {
			r := get(strings.TrimSuffix(u, "/report") + "/admin")
			r.AddCookie(cookie)
			return r
		}},
		// ServeMux in front of the gate cleans the path with a redirect.
		{"dot segments", []int{307, 400, 404}, func(u string) *http.Request { r := get(u); r.URL.Path += "/../admin"; r.AddCookie(cookie); return r }},
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var next, unexpected atomic.Int64
	var mu sync.Mutex
	examples := map[string]string{}
	var wg sync.WaitGroup
	for w := range workers {
		// Every eighth client is an attacker; each client has its own
		// loopback address.
		kinds, addr := good, fmt.Sprintf("127.0.1.%d", w+1)
		if w%8 == 7 {
			kinds, addr = bad, fmt.Sprintf("127.0.2.%d", w+1)
		}
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 10 * time.Second}
		client := &http.Client{
			Timeout:       30 * time.Second,
			Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 1},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		wg.Go(func() {
			for i := next.Add(1); i <= total && ctx.Err() == nil; i = next.Add(1) {
				k := kinds[int(i)%len(kinds)]
				resp, err := client.Do(k.make(s.URL).WithContext(ctx))
				status := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				right := false
				for _, ok := range k.ok {
					right = right || status == ok
				}
				if !right {
					unexpected.Add(1)
					mu.Lock()
					examples[k.name] = fmt.Sprintf("status %d, err %v", status, err)
					mu.Unlock()
				}
			}
		})
	}
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("not done within the time bound: %d of %d requests sent", next.Load(), total)
	}
	t.Logf("%d requests from %d clients in %v (%.0f/s), race-built server", total, workers, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
	if n := unexpected.Load(); n > 0 {
		t.Errorf("%d unexpected answers, e.g. %v", n, examples)
	}

	s.cmd.Process.Signal(syscall.SIGINT)
	err = s.cmd.Wait()
	if strings.Contains(s.stderr.String(), "DATA RACE") || err != nil {
		t.Fatalf("server: %v\n%s", err, s.stderr)
	}
	if strings.Contains(s.stderr.String(), "correct horse") {
		t.Fatal("a password reached the log")
	}
	_ = os.Remove(bin)
}
