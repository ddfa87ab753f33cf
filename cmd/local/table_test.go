package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

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
	if len(resp.Cookies()) != 1 {
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
