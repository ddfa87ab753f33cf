package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/formgate/formgate/internal/testkit"
)

// chromium finds a Chromium to drive. In CI a missing browser is a
// failure (.ci/run installs it); on a developer's machine the test says
// how to get one and is skipped.
func chromium(t *testing.T) string {
	t.Helper()
	testkit.EndToEnd(t)
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found; .ci/run must install it (make deps)")
	}
	t.Skip("no Chromium found: run `make deps` (apt-get install chromium) to run the browser test")
	return ""
}

// TestBrowserLogin drives headless Chromium through the login form of the
// real local server: a wrong password, the right one, the report, logout —
// served directly, and through an emulated REST API stage (/dev/report,
// events through the Lambda adapter).
func TestBrowserLogin(t *testing.T) {
	exe := chromium(t)
	for name, args := range map[string][]string{
		"direct":   nil,
		"rest-api": {"-gateway", "rest"},
		"http-api": {"-gateway", "http"},
	} {
		t.Run(name, func(t *testing.T) { browserLogin(t, exe, name, args) })
	}
}

// allocator starts headless Chromium for one test.
func allocator(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // running as root in CI
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return actx
}

func browserLogin(t *testing.T, exe, name string, args []string) {
	s := startLocal(t, args)
	ctx, cancel := chromedp.NewContext(allocator(t, exe))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// step runs actions that return nothing; read runs one that returns a value.
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser, %s: %v\nserver log:\n%s", what, err, s.stderr)
		}
	}
	read := func(a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		return v
	}
	prefix := name
	shot := func(shotName string) {
		t.Helper()
		dir := os.Getenv("FORMGATE_SCREENSHOTS")
		if dir == "" {
			return
		}
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, prefix+"-"+shotName+".png"), b, 0o644)
	}

	// CSS selectors: a plain string is a DOM text search, which would also
	// match the inline style sheet's text.
	type css = chromedp.CSS
	step("open the form", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`form#login`)))
	shot("login")
	step("wrong password",
		chromedp.SendKeys(css(`input[name=username]`), s.User),
		chromedp.SendKeys(css(`input[name=password]`), "not-the-password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`#login-error`)))
	shot("login-error")
	if got := read(chromedp.Text(css(`#login-error`))); got != "Wrong username or password." {
		t.Errorf("error message %q", got)
	}
	if got := read(chromedp.Value(css(`input[name=username]`))); got != s.User {
		t.Errorf("user name field after a failed login = %q, want %q", got, s.User)
	}
	if got := read(chromedp.Value(css(`input[name=password]`))); got != "" {
		t.Error("the password field must come back empty")
	}
	step("right password",
		chromedp.SendKeys(css(`input[name=password]`), s.Password),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`main#report table`)))
	shot("report")
	if got := read(chromedp.Location()); got != s.URL {
		t.Errorf("after login the browser is at %q, want %q (post/redirect/get)", got, s.URL)
	}
	if got := read(chromedp.Text(css(`caption`))); got != "Sample report (8 rows)" {
		t.Errorf("caption %q", got)
	}
	if got := read(chromedp.Text(css(`tbody`))); !strings.Contains(got, "North") {
		t.Errorf("table body %q", got)
	}

	// A reload keeps the session; logout ends it.
	step("reload", chromedp.Reload(), chromedp.WaitVisible(css(`main#report`)))
	step("logout", chromedp.Click(css(`main#report button[type=submit]`)), chromedp.WaitVisible(css(`form#login`)))
	if got := read(chromedp.Location()); got != s.URL {
		t.Errorf("after logout the browser is at %q, want %q", got, s.URL)
	}
	step("come back", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`form#login`)))
}
