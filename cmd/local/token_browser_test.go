package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserToken: a user logs in, makes a token on the report page and
// sees it once (post/redirect/get, at the report's own address); a
// reload lists it without the token; a script uses it; the user revokes
// it with the list's button and the script is refused. Served directly
// and through an emulated REST API stage.
func TestBrowserToken(t *testing.T) {
	exe := chromium(t)
	for name, args := range map[string][]string{
		"direct":   nil,
		"rest-api": {"-gateway", "rest"},
	} {
		t.Run(name, func(t *testing.T) { browserToken(t, exe, args) })
	}
}

func browserToken(t *testing.T, exe string, args []string) {
	s := startLocal(t, args)
	tab, cancel := chromedp.NewContext(allocator(t, exe))
	defer cancel()
	user, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(user, steps...); err != nil {
			t.Fatalf("browser, %s: %v\nserver log:\n%s", what, err, s.stderr)
		}
	}
	read := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(user, a)
		if err != nil {
			t.Fatalf("browser: %v\nserver log:\n%s", err, s.stderr)
		}
		return v
	}
	script := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"?format=json", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	type css = chromedp.CSS
	type id = chromedp.ID

	step("log in", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`form#login`)),
		chromedp.SendKeys(css(`input[name=username]`), s.User),
		chromedp.SendKeys(css(`input[name=password]`), s.Password),
		chromedp.Click(css(`form#login button[type=submit]`)),
		chromedp.WaitVisible(id("token-form")))
	step("make a token", chromedp.SendKeys(id("token-name"), "nightly export"), chromedp.SetValue(id("token-ttl"), "2160h0m0s"),
		chromedp.Click(id("token-make")), chromedp.WaitVisible(id("token-value")))
	token := read(chromedp.Value(id("token-value")))
	if !strings.HasPrefix(token, "fgt_") || len(token) != 59 {
		t.Fatalf("the token shown: %q", token)
	}
	if got := read(chromedp.Location()); got != s.URL {
		t.Errorf("after making a token the browser is at %q, want %q (post/redirect/get)", got, s.URL)
	}
	if got := read(chromedp.Text(css(`label[for=token-value]`))); !strings.Contains(got, "“nightly export”") || !strings.Contains(got, "not shown again") {
		t.Errorf("the new token's label %q", got)
	}
	step("copy", chromedp.Click(id("token-copy")))
	if status := script(token); status != 200 {
		t.Fatalf("the script with the token: %d", status)
	}

	// Once: a reload lists it, with no token on the page.
	step("reload", chromedp.Navigate(s.URL), chromedp.WaitVisible(id("token-list")))
	if html := read(chromedp.OuterHTML(css(`main#report`))); strings.Contains(html, token[4:]) || !strings.Contains(html, "nightly export <code>"+token[4:16]+"</code>") {
		t.Fatalf("the page after a reload:\n%s", html)
	}
	// The page comes back without the list (its one token revoked).
	step("revoke", chromedp.Click(css(`#token-list button[type=submit]`)), chromedp.WaitNotPresent(id("token-list")), chromedp.WaitVisible(id("token-form")))
	if status := script(token); status != 401 {
		t.Fatalf("the script with the revoked token: %d", status)
	}
}
