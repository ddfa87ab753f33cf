package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit/dynalitetest"
)

// With FORMGATE_TABLE, cmd/local (built with -tags dynamodb) makes the
// table when it is missing, and logout through it ends every copy of the
// cookie.
func TestLocalWithTable(t *testing.T) {
	db := dynalitetest.Start(t)
	bin := localBin(t, "-tags", "dynamodb,s3")
	s := startLocalBin(t, bin, nil, append(db.Env(), "FORMGATE_TABLE=formgate-dev", "AUTH_PASSWORD=pw-for-table")...)
	if !strings.Contains(strings.Join(s.banner, "\n"), `shared through table "formgate-dev"`) {
		t.Fatalf("banner:\n%s", strings.Join(s.banner, "\n"))
	}
	client := &http.Client{CheckRedirect: noRedirect}
	req, _ := http.NewRequest("POST", s.URL, strings.NewReader("username=admin&password=pw-for-table"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 2 || resp.Cookies()[0].Name != "formgate" { // the session, then the device
		t.Fatalf("login: %d", resp.StatusCode)
	}
	c := resp.Cookies()[0]
	logout, _ := http.NewRequest("POST", s.URL+"/_formgate/logout", nil)
	logout.AddCookie(c)
	if resp, err := client.Do(logout); err != nil || resp.StatusCode != 303 {
		t.Fatalf("logout: %v %v", resp, err)
	}
	again, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
	again.AddCookie(c)
	resp, err = client.Do(again)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || strings.Contains(string(body), "Region") {
		t.Fatalf("the cookie after logout: %d %.80s", resp.StatusCode, body)
	}
}

// While the table hangs (dynalite stopped with SIGSTOP), answers keep
// their stated bound: the gate's store calls for one request end within
// its 3 s deadline — a cookie request gets its 503 (usually at a table
// call's own 2 s timeout), a login is answered, with limits per container
// meanwhile. The bound checked here has 1.5 s of slack for a busy
// machine (and the login's password check).
func TestLocalTableHangs(t *testing.T) {
	db := dynalitetest.Start(t)
	bin := localBin(t, "-tags", "dynamodb,s3")
	s := startLocalBin(t, bin, nil, append(db.Env(), "FORMGATE_TABLE=formgate-hang", "AUTH_PASSWORD=pw-hang", "LOG_LEVEL=error")...)
	client := &http.Client{CheckRedirect: noRedirect, Timeout: 30 * time.Second}
	login := func() (*http.Response, time.Duration) {
		req, _ := http.NewRequest("POST", s.URL, strings.NewReader("username=admin&password=pw-hang"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp, time.Since(start)
	}
	resp, _ := login()
	if len(resp.Cookies()) == 0 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	session := resp.Cookies()[0]

	db.Freeze()
	defer db.Thaw()
	req, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
	req.AddCookie(session)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookieTook := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || cookieTook > 4500*time.Millisecond {
		t.Fatalf("a cookie request while the table hangs: %d after %v, want 503 within 3 s", resp.StatusCode, cookieTook)
	}
	resp, took := login()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK || took > 4500*time.Millisecond {
		t.Fatalf("a login while the table hangs: %d after %v, want it answered within 3 s", resp.StatusCode, took)
	}
	t.Logf("table hangs: cookie request 503 in %v, login %d in %v", cookieTook.Round(10*time.Millisecond), resp.StatusCode, took.Round(10*time.Millisecond))
}
