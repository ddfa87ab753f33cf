package main

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// TestBrowserShareLink: a user logs in and makes a link; a browser with
// no cookies at all (a fresh browser context) opens it, sees the report,
// downloads the CSV, and can reach nothing else; the user takes the link
// back and the other browser is refused. Served directly and through an
// emulated REST API stage.
func TestBrowserShareLink(t *testing.T) {
	exe := chromium(t)
	for name, args := range map[string][]string{
		"direct":   nil,
		"rest-api": {"-gateway", "rest"},
	} {
		t.Run(name, func(t *testing.T) { browserShareLink(t, exe, name, args) })
	}
}

func browserShareLink(t *testing.T, exe, name string, args []string) {
	s := startLocal(t, args)
	tab, cancel := chromedp.NewContext(allocator(t, exe))
	defer cancel()
	if err := chromedp.Do(tab); err != nil { // starts the browser
		t.Fatal(err)
	}
	// The visitor: a browser context of its own, which shares no cookie
	// with the user's.
	visitorTab, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	defer cancel()
	user, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	visitor, cancel := context.WithTimeout(visitorTab, 60*time.Second)
	defer cancel()

	step := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser, %s: %v\nserver log:\n%s", what, err, s.stderr)
		}
	}
	read := func(ctx context.Context, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %v\nserver log:\n%s", err, s.stderr)
		}
		return v
	}
	shot := func(ctx context.Context, shotName string) {
		t.Helper()
		if dir := os.Getenv("FORMGATE_SCREENSHOTS"); dir != "" {
			b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, name+"-"+shotName+".png"), b, 0o644)
		}
	}
	type css = chromedp.CSS
	type id = chromedp.ID

	// The user logs in and makes a link for a day.
	step(user, "log in", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`form#login`)),
		chromedp.SendKeys(css(`input[name=username]`), s.User),
		chromedp.SendKeys(css(`input[name=password]`), s.Password),
		chromedp.Click(css(`form#login button[type=submit]`)),
		chromedp.WaitVisible(id("share-form")))
	if action, err := chromedp.Run(user, chromedp.AttributeValue(id("share-form"), "action")); err != nil || !strings.Contains(action.Value, "share") {
		t.Errorf("the share form's action %q (%v)", action.Value, err)
	}
	step(user, "make a link", chromedp.SetValue(id("share-ttl"), "24h0m0s"), chromedp.Click(id("share-make")), chromedp.WaitVisible(id("share-link")))
	shot(user, "share")
	link := read(user, chromedp.Value(id("share-link")))
	// 38 bytes and the user name, in base64url: 58 characters for admin.
	if tokenLen := base64.RawURLEncoding.EncodedLen(38 + len(s.User)); !strings.HasPrefix(link, s.URL+"/_formgate/share/") || len(link) != len(s.URL)+len("/_formgate/share/")+tokenLen {
		t.Fatalf("the link %q: want %s/_formgate/share/ and a %d-character token", link, s.URL, tokenLen)
	}
	if got := read(user, chromedp.Location()); got != s.URL {
		t.Errorf("after making a link the browser is at %q, want %q (post/redirect/get)", got, s.URL)
	}
	// The copy button's script runs under the page's policy: its label
	// changes (at once to "Copying…", then "Copied", or "Press Ctrl+C"
	// where the clipboard is not allowed, as in a headless browser).
	step(user, "copy", chromedp.Click(id("share-copy")))
	label := read(user, chromedp.Evaluate[string](`new Promise(done => {
		const b = document.getElementById("share-copy");
		const look = () => b.textContent !== "Copy" ? done(b.textContent) : setTimeout(look, 20);
		look();
	})`, chromedp.EvalAwaitPromise))
	if label != "Copied" && label != "Press Ctrl+C" && label != "Copying…" {
		t.Errorf("copy button label %q", label)
	}

	// The visitor, without any cookie, opens it: the report, at the
	// report's own address, without the user's buttons.
	step(visitor, "open the link", chromedp.Navigate(link), chromedp.WaitVisible(css(`main#report table`)))
	shot(visitor, "shared-report")
	if got := read(visitor, chromedp.Location()); got != s.URL {
		t.Errorf("after opening the link the visitor is at %q, want %q (the token out of the address bar)", got, s.URL)
	}
	if got := read(visitor, chromedp.Text(css(`caption`))); got != "Sample report (8 rows)" {
		t.Errorf("caption %q", got)
	}
	if n := read(visitor, chromedp.Evaluate[string](`String(document.querySelectorAll("#logout, #logout-everywhere, #share-form").length)`)); n != "0" {
		t.Errorf("the visitor's page has %s of the user's buttons and forms", n)
	}
	// The page's own CSV link downloads the CSV, byte for byte what a
	// script with the password downloads.
	if got, want := download(t, visitor, css(`a[href="?format=csv"]`)), basicGet(t, s, s.URL+"?format=csv"); got != want || !strings.HasPrefix(got, "Region,") {
		t.Errorf("the CSV by the link:\n%q\nwant\n%q", got, want)
	}
	// Nothing else: another path, a form that logs out everywhere. (The
	// page's policy allows no fetch: a form is what a page could post.)
	step(visitor, "another path", chromedp.Navigate(s.URL+"/other"), chromedp.WaitVisible(css(`main#notice`)))
	if got := read(visitor, chromedp.Text(id("notice-heading"))); got != "A share link opens only the shared page" {
		t.Errorf("another path: %q", got)
	}
	for _, post := range []struct{ action, says string }{
		{"report/_formgate/logout-everywhere", "log in to log out everywhere"},
		{"report/_formgate/share", "Only someone logged in with a password can make or take back share links."},
	} {
		step(visitor, "post "+post.action, chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`main#report`)),
			chromedp.Evaluate[chromedp.Void](`(() => {
				const f = document.createElement("form");
				f.method = "post";
				f.action = `+strconv.Quote(post.action)+`;
				document.body.append(f);
				f.submit();
			})()`),
			chromedp.WaitNotPresent(css(`main#report`)))
		if got := read(visitor, chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(got, post.says) {
			t.Errorf("the visitor's POST to %s: %q", post.action, got)
		}
	}

	// The user takes the link back (cmd/local keeps the list in memory);
	// the visitor's next request is refused.
	step(user, "the list", chromedp.Navigate(s.URL), chromedp.WaitVisible(id("share-links")),
		chromedp.Click(css(`#share-links button[type=submit]`)), chromedp.WaitNotPresent(id("share-links")))
	step(visitor, "the report after take back", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`main#notice`)))
	shot(visitor, "taken-back")
	if got := read(visitor, chromedp.Text(id("notice-heading"))); got != "This link was taken back" {
		t.Errorf("after the user took the link back the visitor sees %q", got)
	}
}

// basicGet fetches target with the server's user and password: what a
// script downloads.
func basicGet(t *testing.T, s *localServer, target string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	req.SetBasicAuth(s.User, s.Password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// download clicks sel in ctx's browser context and returns the file the
// browser saved.
func download(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	dir := t.TempDir()
	c := chromedp.FromContext(ctx)
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: c.BrowserContextID, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	events := cdp.Events(ctx, c.Browser, browser.DownloadProgress) // subscribed before the click
	if err := chromedp.Do(ctx, chromedp.Click(sel)); err != nil {
		t.Fatal(err)
	}
	for ev, err := range events {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		case browser.DownloadProgressStateCanceled:
			t.Fatal("the download was canceled")
		}
	}
	t.Fatal("no download")
	return ""
}
