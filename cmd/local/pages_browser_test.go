package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/formgate/formgate/internal/testkit/bigcsv"
)

// TestBrowserPages pages through a report of 2,500 rows in headless
// Chromium behind the emulated REST API (gzip'd pages, binaryMediaTypes,
// the stage prefix): next, previous, the page box, and the JSON download
// of the whole report from a later page.
func TestBrowserPages(t *testing.T) {
	exe := chromium(t)
	csv := filepath.Join(t.TempDir(), "sales.csv")
	if err := os.WriteFile(csv, bigcsv.Generate(2500), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startLocal(t, []string{"-gateway", "rest"}, "REPORT_CSV="+csv)
	ctx, cancel := chromedp.NewContext(allocator(t, exe))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	type css = chromedp.CSS
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser, %s: %v\nserver log:\n%s", what, err, s.stderr)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("browser, read %s: %v", sel, err)
		}
		return v
	}
	step("log in", chromedp.Navigate(s.URL), chromedp.WaitVisible(css(`form#login`)),
		chromedp.SendKeys(css(`input[name=username]`), s.User),
		chromedp.SendKeys(css(`input[name=password]`), s.Password),
		chromedp.Click(css(`form#login button[type=submit]`)),
		chromedp.WaitVisible(css(`main#report table`)))
	if got := text(`caption`); got != "sales (2500 rows; rows 1–1000)" {
		t.Fatalf("first page caption %q", got)
	}
	step("next page", chromedp.Click(css(`#next-page`)), chromedp.WaitVisible(css(`#prev-page`)))
	if got := text(`caption`); !strings.Contains(got, "rows 1001–2000") || !strings.Contains(text(`tbody`), "Item 1000") {
		t.Fatalf("second page: %q", got)
	}
	if dir := os.Getenv("FORMGATE_SCREENSHOTS"); dir != "" { // the README's docs/pages.png: the top of page 2
		b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "pages.png"), b, 0o644)
	}
	step("page box", chromedp.SetValue(css(`nav.pager input[name=page]`), "3"),
		chromedp.Submit(css(`nav.pager input[name=page]`)),
		chromedp.WaitVisible(css(`main#report table`)))
	if got := text(`caption`); !strings.Contains(got, "rows 2001–2500") {
		t.Fatalf("page 3 caption %q", got)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/dev/report?page=3") {
		t.Fatalf("page 3 at %q (%v)", loc, err)
	}
	// The JSON download of the whole report, opened by the page's link
	// (the page's policy forbids fetch), gzip'd through the emulated REST
	// API.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href="?format=json"]').href`))
	if err != nil || !strings.HasSuffix(href, "/dev/report?format=json") {
		t.Fatalf("JSON link %q (%v)", href, err)
	}
	step("JSON download", chromedp.Navigate(href))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`JSON.parse(document.body.innerText).length`))
	if err != nil || rows != 2500 {
		t.Fatalf("JSON from page 3: %v rows (%v)", rows, err)
	}
}
