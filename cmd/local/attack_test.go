package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fromAddr is an HTTP client whose connections come from addr, a loopback
// address of its own (127.0.0.0/8): a client of its own to the gate.
func fromAddr(addr string, jar http.CookieJar) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 10 * time.Second}
	return &http.Client{
		Timeout:       30 * time.Second,
		Jar:           jar,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TestGuessingAttack runs the attack on a user name against the real
// server (bcrypt users): 40 wrong guesses for anna from 40 addresses.
// Then (a) anna's browser, which logged in before, logs in again at once
// with the form; (b) anna's script from its usual address gets the report
// with Basic; (c) a fresh address with the right password waits (429).
func TestGuessingAttack(t *testing.T) {
	users, _ := filepath.Abs("../../htpasswd/testdata/users.htpasswd") // anna: bcrypt, cost 10
	s := startLocalBin(t, localBin(t), nil, "AUTH_USERS_FILE="+users, "SESSION_SECRET="+strings.Repeat("s", 32), "LOG_LEVEL=warn")
	const pass = "correct horse"
	basic := func(c *http.Client, password string) int {
		req, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
		req.SetBasicAuth("anna", password)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	formLogin := func(c *http.Client) int {
		resp, err := c.PostForm(s.URL, url.Values{"username": {"anna"}, "password": {pass}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	jar, _ := cookiejar.New(nil)
	browser, script := fromAddr("127.0.10.1", jar), fromAddr("127.0.10.2", nil)
	if code := formLogin(browser); code != 200 && code != 303 {
		t.Fatalf("the browser's first login: %d", code)
	}
	if code := basic(script, pass); code != 200 {
		t.Fatalf("the script's first request: %d", code)
	}

	refused := 0
	for i := range 40 {
		guesser := fromAddr(fmt.Sprintf("127.0.20.%d", i+1), nil)
		if basic(guesser, "guess") == http.StatusTooManyRequests {
			refused++
		}
		guesser.CloseIdleConnections()
	}
	if refused == 0 {
		t.Fatal("40 guesses and none held back: the per-user limit is not working")
	}
	// The browser: a new session from a new address even, by its device.
	u, _ := url.Parse(s.URL)
	var device []*http.Cookie
	for _, c := range jar.Cookies(u) {
		if c.Name == "formgate_device" {
			device = append(device, c)
		}
	}
	if len(device) != 1 {
		t.Fatalf("the browser has no device cookie: %v", jar.Cookies(u))
	}
	jar2, _ := cookiejar.New(nil)
	jar2.SetCookies(u, device)
	if code := formLogin(fromAddr("127.0.10.3", jar2)); code != 200 && code != 303 {
		t.Fatalf("(a) the user's browser during the attack: %d", code)
	}
	if code := basic(script, pass); code != 200 {
		t.Fatalf("(b) the user's script from its address during the attack: %d", code)
	}
	if code := basic(fromAddr("127.0.10.4", nil), pass); code != http.StatusTooManyRequests {
		t.Fatalf("(c) a fresh address with the right password: %d, want 429", code)
	}
	t.Logf("attack: %d of 40 guesses held back; (a) browser in, (b) script in, (c) fresh address 429", refused)
}

// TestGuessingUnderLoad: the real user's script asks with Basic from its
// usual address while attackers guess, one request in ten a wrong
// password from an address of its own. It reports the share of the
// user's right requests refused (before device cookies and known
// addresses: 5,899 of 6,000); none may be.
func TestGuessingUnderLoad(t *testing.T) {
	users, _ := filepath.Abs("../../htpasswd/testdata/users.htpasswd")
	s := startLocalBin(t, localBin(t), nil, "AUTH_USERS_FILE="+users, "SESSION_SECRET="+strings.Repeat("s", 32), "LOG_LEVEL=error")
	const total, workers = 3000, 8
	get := func(c *http.Client, password string) (int, error) {
		req, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
		req.SetBasicAuth("anna", password)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	script := fromAddr("127.0.30.1", nil)
	if code, err := get(script, "correct horse"); code != 200 {
		t.Fatalf("first request: %d %v", code, err)
	}
	var next, right, refused, errs atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				if i%10 == 0 {
					guesser := fromAddr(fmt.Sprintf("127.0.%d.%d", 40+w, 1+(i/10)%250), nil)
					get(guesser, "guess")
					guesser.CloseIdleConnections()
					continue
				}
				code, err := get(script, "correct horse")
				right.Add(1)
				switch {
				case err != nil:
					errs.Add(1)
				case code == http.StatusTooManyRequests:
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("under load: %d of %d right requests refused, %d errors", refused.Load(), right.Load(), errs.Load())
	if refused.Load() != 0 || errs.Load() != 0 {
		t.Fatalf("%d of the user's %d right requests refused, %d failed", refused.Load(), right.Load(), errs.Load())
	}
}
