package report

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
)

// behindGate is the report behind a gate with share links on (and a list
// when shares is set), and a function that makes one request of it.
func behindGate(t *testing.T, shares formgate.Shares) func(method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	rp := newReport(t, "A\n1\n", Config{Logger: slog.New(slog.DiscardHandler)})
	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", "pw"), SessionSecret: []byte(strings.Repeat("s", 32)),
		Logger: slog.New(slog.DiscardHandler), ShareLinks: true, Shares: shares})
	if err != nil {
		t.Fatal(err)
	}
	h := g.Protect(rp)
	return func(method, target, body string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.Header.Set("Accept", htmlAcc)
		r.SetBasicAuth("anna", "pw")
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
}

// made makes a link with the form and returns the page the browser is
// sent back to.
func made(t *testing.T, do func(method, target, body string, header ...string) *httptest.ResponseRecorder, ttl string) *httptest.ResponseRecorder {
	t.Helper()
	w := do("POST", "http://127.0.0.1/report/_formgate/share", "ttl="+ttl)
	var c *http.Cookie
	for _, rc := range w.Result().Cookies() {
		if rc.Name == "formgate_new" {
			c = rc
		}
	}
	if w.Code != 303 || c == nil {
		t.Fatalf("make a link: %d %v", w.Code, w.Header())
	}
	return do("GET", "http://127.0.0.1/report", "", "Cookie", c.Name+"="+c.Value)
}

var scriptRe = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// The page offers the lifetimes, shows a new link once with a copy
// button whose script the page's policy allows by its hash, and says
// that links cannot be taken back when no list is kept.
func TestSharePanel(t *testing.T) {
	do := behindGate(t, nil)
	w := do("GET", "http://127.0.0.1/report", "")
	page := w.Body.String()
	for _, want := range []string{`<form method="post" action="report/_formgate/share" id="share-form">`,
		`<option value="1h0m0s">1 hour</option><option value="24h0m0s">1 day</option><option value="168h0m0s">7 days</option>`,
		`id="share-note">A share link cannot be taken back`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, `id="share-link"`) {
		t.Error("a script or a link on a page without a new link")
	}

	w = made(t, do, "24h0m0s")
	page = w.Body.String()
	link := regexp.MustCompile(`<input id="share-link" readonly value="(http://127\.0\.0\.1/report/_formgate/share/[A-Za-z0-9_-]{56})">`).FindStringSubmatch(page)
	if link == nil || !strings.Contains(page, `data-copy="share-link">Copy</button>`) || !strings.Contains(page, "can see the report until "+time.Now().Add(24*time.Hour).UTC().Format("2 Jan 2006")) {
		t.Fatalf("page after making a link:\n%s", page)
	}
	m := scriptRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no copy script")
	}
	sum := sha256.Sum256([]byte(m[1]))
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("the policy %q does not allow the page's script by its hash", csp)
	}
	// Shown once: the next page is the plain one again.
	if again := do("GET", "http://127.0.0.1/report", "").Body.String(); strings.Contains(again, `id="share-link"`) {
		t.Fatal("the new link is shown again")
	}
}

// With a list, the page lists the user's links with a button to take
// each back.
func TestSharePanelList(t *testing.T) {
	do := behindGate(t, formgate.NewMemoryShares())
	made(t, do, "1h0m0s")
	made(t, do, "168h0m0s")
	page := do("GET", "http://127.0.0.1/report", "").Body.String()
	forms := regexp.MustCompile(`<form method="post" action="report/_formgate/share/revoke"><input type="hidden" name="id" value="([A-Za-z0-9_-]{12})"><button type="submit" class="secondary">Take back</button></form>`).FindAllStringSubmatch(page, -1)
	if len(forms) != 2 || strings.Contains(page, "cannot be taken back") || !strings.Contains(page, "<caption>Your share links that still work</caption>") {
		t.Fatalf("list:\n%s", page)
	}
	// The same page gzip'd, as browsers take it (made for the request,
	// not kept).
	w := do("GET", "http://127.0.0.1/report", "", "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(w.Body)
	if err != nil || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip'd page: %v %v", w.Header(), err)
	}
	if b, _ := io.ReadAll(zr); strings.Count(string(b), "Take back</button>") != 2 {
		t.Fatalf("gzip'd page:\n%s", b)
	}
	if w := do("POST", "http://127.0.0.1/report/_formgate/share/revoke", "id="+forms[0][1]); w.Code != 303 {
		t.Fatalf("take back: %d", w.Code)
	}
	if page := do("GET", "http://127.0.0.1/report", "").Body.String(); strings.Count(page, "Take back</button>") != 1 || strings.Contains(page, forms[0][1]) {
		t.Fatalf("after taking one back:\n%s", page)
	}
}

func TestLabel(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1 hour", 24 * time.Hour: "1 day", 168 * time.Hour: "7 days", 36 * time.Hour: "36 hours",
		30 * time.Minute: "30 minutes", time.Minute: "1 minute", 90 * time.Second: "90 seconds",
	} {
		if got := label(d); got != want {
			t.Errorf("label(%v) = %q, want %q", d, got, want)
		}
	}
}
