package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"
)

// The templates are what the pages look like; pages.go writes them
// without html/template. These tests hold the two together: every page,
// written both ways for many views (values full of characters that must
// be escaped, URLs of every kind), must be the same bytes.

//go:embed templates/*.html
var templates embed.FS

// byTemplate is the pages rendered by html/template from templates/.
type byTemplate struct{ login, report, notice *template.Template }

func parseTemplates(t testing.TB) byTemplate {
	t.Helper()
	funcs := template.FuncMap{
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
	}
	parse := func(names ...string) *template.Template {
		for i := range names {
			names[i] = "templates/" + names[i]
		}
		tp, err := template.New("").Funcs(funcs).ParseFS(templates, append([]string{"templates/layout.html"}, names...)...)
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	return byTemplate{login: parse("login.html"), report: parse("report.html", "share.html", "tokens.html"), notice: parse("notice.html")}
}

// The views as the templates read them: the page's title and style
// sheet beside the view, and the share panel's script a method.
type (
	layoutData struct {
		PageTitle string
		CSS       template.CSS
	}
	shareData  struct{ ShareView }
	tokensData struct{ TokensView }
	reportData struct {
		ReportView
		Share  *shareData  // in place of ReportView.Share
		Tokens *tokensData // and of ReportView.Tokens
	}
)

func (shareData) CopyScript() template.JS  { return template.JS(copyJS) }
func (tokensData) CopyScript() template.JS { return template.JS(copyJS) }

func (bt byTemplate) loginPage(t testing.TB, v LoginView) string {
	return execute(t, bt.login, struct {
		layoutData
		LoginView
	}{layoutData{"Log in · " + v.Title, template.CSS(style(v.Style))}, v})
}

func (bt byTemplate) reportPage(t testing.TB, v ReportView) string {
	d := reportData{ReportView: v}
	if v.Share != nil {
		d.Share = &shareData{*v.Share}
	}
	if v.Tokens != nil {
		d.Tokens = &tokensData{*v.Tokens}
	}
	return execute(t, bt.report, struct {
		layoutData
		reportData
	}{layoutData{v.Title, template.CSS(css)}, d})
}

func (bt byTemplate) noticePage(t testing.TB, v NoticeView) string {
	return execute(t, bt.notice, struct {
		layoutData
		NoticeView
	}{layoutData{v.Heading, template.CSS(style(v.Style))}, v})
}

func execute(t testing.TB, tp *template.Template, data any) string {
	t.Helper()
	var b strings.Builder
	if err := tp.ExecuteTemplate(&b, "layout", data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Each page as written by Go code.

func loginPage(t testing.TB, v LoginView) string {
	var b bytes.Buffer
	if err := (&Pages{}).Login(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func reportPage(t testing.TB, v ReportView) string {
	var b bytes.Buffer
	if err := (&Pages{}).Report(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func noticePage(t testing.TB, v NoticeView) string {
	var b bytes.Buffer
	if err := (&Pages{}).Notice(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// same fails t where the two pages differ, showing where.
func same(t testing.TB, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-80)
	t.Fatalf("%s: the page differs from the template's at byte %d:\ntemplate: %q\nwritten:  %q", what, i, want[from:min(len(want), i+80)], got[from:min(len(got), i+80)])
}

// nasty are values that escaping changes, or that look like it might.
var nasty = []string{
	"", "plain", "Tickets 2026", "a&b", `"quoted"`, "it's", "1+1", "<script>alert(1)</script>", "x\x00y",
	"zoë – ‹›", "\xff\xfe broken UTF-8", "\u2028\u2029", "tab\there\nnewline", "&amp;", "%41%zz%4", "100%",
	"report/_formgate/logout", "../report/_formgate/share", "?page=2&x=<y>", "#frag", "javascript:alert(1)",
	"JavaScript:x", "data:text/html,x", "http://example.com/a b", "HTTPS://x.example/é", "mailto:a@b", "/a:b",
	"a/b:c", "ftp://x", " spaces ", "[::1]", "!#$&*+,/:;=?@[]-._~", "\x7f\x01", "`~^|\\{}",
}

func pick(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return nasty[r.IntN(len(nasty))] + nasty[r.IntN(len(nasty))]
	}
	return nasty[r.IntN(len(nasty))]
}

func randomReport(r *rand.Rand) ReportView {
	v := ReportView{Title: pick(r), LogoutURL: pick(r), LogoutEverywhereURL: pick(r),
		Total: r.IntN(5000), Page: r.IntN(5) - 1, Pages: r.IntN(5) - 1, First: r.IntN(100), Last: r.IntN(100)}
	for range r.IntN(4) {
		v.Header = append(v.Header, pick(r))
	}
	for range r.IntN(4) {
		var row []string
		for range r.IntN(4) {
			row = append(row, pick(r))
		}
		v.Rows = append(v.Rows, row)
	}
	if r.IntN(4) > 0 {
		s := &ShareView{MakeURL: pick(r), RevokeURL: pick(r), ListError: r.IntN(3) == 0}
		for range r.IntN(4) {
			s.Lifetimes = append(s.Lifetimes, Lifetime{Value: pick(r), Label: pick(r)})
		}
		if r.IntN(2) == 0 {
			s.Made = &MadeLink{URL: pick(r), Expires: pick(r)}
		}
		for range r.IntN(3) {
			s.Links = append(s.Links, ListedLink{ID: pick(r), Expires: pick(r)})
		}
		v.Share = s
	}
	if r.IntN(3) > 0 {
		tv := &TokensView{MakeURL: pick(r), RevokeURL: pick(r), MaxNameLen: r.IntN(100) - 1, ReadOnly: r.IntN(3) == 0, ListError: r.IntN(4) == 0}
		for range r.IntN(3) {
			tv.Lifetimes = append(tv.Lifetimes, Lifetime{Value: pick(r), Label: pick(r)})
		}
		if r.IntN(2) == 0 {
			tv.Made = &MadeToken{Token: pick(r), Name: pick(r), Expires: pick(r)}
		}
		for range r.IntN(3) {
			tv.Tokens = append(tv.Tokens, ListedToken{ID: pick(r), Name: pick(r), Created: pick(r), Expires: pick(r), LastUsed: pick(r)})
		}
		v.Tokens = tv
	}
	return v
}

func TestPagesAsTemplates(t *testing.T) {
	bt := parseTemplates(t)
	// The pages as the gate and the report make them.
	same(t, "login", bt.loginPage(t, LoginView{Title: "Reports"}), loginPage(t, LoginView{Title: "Reports"}))
	failed := LoginView{Title: "Reports", Username: "anna", Error: "Wrong user name or password.", Action: "../report", Style: "body{color:red}"}
	same(t, "failed login", bt.loginPage(t, failed), loginPage(t, failed))
	rows := [][]string{{"Platform", "12"}, {"Web", "3"}}
	for _, v := range []ReportView{
		{Title: "Sample report", Header: []string{"Team", "Open"}, Rows: rows, Total: 2, Page: 1, Pages: 1, First: 1, Last: 2},
		{Title: "tickets", Header: []string{"Team", "Open"}, Rows: rows, Total: 2500, Page: 2, Pages: 3, First: 1001, Last: 2000,
			LogoutURL: "report/_formgate/logout", LogoutEverywhereURL: "report/_formgate/logout-everywhere"},
		{Title: "tickets", Total: 2500, Page: 3, Pages: 3, First: 2001, Last: 2500, LogoutURL: "report/_formgate/logout",
			Share: &ShareView{MakeURL: "report/_formgate/share", Lifetimes: []Lifetime{{"1h0m0s", "1 hour"}, {"24h0m0s", "1 day"}}}},
		{Title: "tickets", Total: 0, Page: 1, Pages: 1, Share: &ShareView{MakeURL: "report/_formgate/share", RevokeURL: "report/_formgate/share/revoke",
			Made:  &MadeLink{URL: "https://x.example/dev/report/_formgate/share/abc", Expires: "2 Jan 2027, 15:04 UTC"},
			Links: []ListedLink{{"AAAAAAAAAAAA", "2 Jan 2027, 15:04 UTC"}, {"BBBBBBBBBBBB", "3 Jan 2027, 15:04 UTC"}}}},
		{Title: "tickets", Total: 0, Page: 1, Pages: 1, Share: &ShareView{MakeURL: "share", RevokeURL: "revoke", ListError: true}},
		{Title: "tickets", Total: 0, Page: 1, Pages: 1, Tokens: &TokensView{MakeURL: "report/_formgate/tokens", RevokeURL: "report/_formgate/tokens/revoke",
			MaxNameLen: 64, Lifetimes: []Lifetime{{"720h0m0s", "30 days"}}, Made: &MadeToken{Token: "fgt_abc", Name: "ci", Expires: "2 Feb 2027, 15:04 UTC"},
			Tokens: []ListedToken{{"ID1", "ci", "1 Jan 2027, 15:04 UTC", "2 Feb 2027, 15:04 UTC", "never"}}}},
		{Title: "tickets", Total: 0, Page: 1, Pages: 1, Tokens: &TokensView{ReadOnly: true, Tokens: []ListedToken{{"ID1", "ci", "—", "2 Feb 2027", "not recorded"}}}},
		{Title: "tickets", Total: 0, Page: 1, Pages: 1, Tokens: &TokensView{MakeURL: "t", ListError: true}},
	} {
		same(t, "report "+v.Title, bt.reportPage(t, v), reportPage(t, v))
	}
	notice := NoticeView{Heading: "This share link has expired", Message: "Ask for a new one.", Back: "../../report", BackText: "Log in", Style: "main{}"}
	same(t, "notice", bt.noticePage(t, notice), noticePage(t, notice))
	same(t, "notice without a link", bt.noticePage(t, NoticeView{Heading: "Gone"}), noticePage(t, NoticeView{Heading: "Gone"}))

	// Views made up of values that escaping changes.
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		lv := LoginView{Title: pick(r), Username: pick(r), Error: pick(r), Action: pick(r)}
		if r.IntN(3) == 0 {
			lv.Style = pick(r)
		}
		same(t, fmt.Sprintf("login %d %+q", i, lv), bt.loginPage(t, lv), loginPage(t, lv))
		nv := NoticeView{Heading: pick(r), Message: pick(r), Back: pick(r), BackText: pick(r)}
		if r.IntN(3) == 0 {
			nv.Style = pick(r)
		}
		same(t, fmt.Sprintf("notice %d %+q", i, nv), bt.noticePage(t, nv), noticePage(t, nv))
		rv := randomReport(r)
		same(t, fmt.Sprintf("report %d", i), bt.reportPage(t, rv), reportPage(t, rv))
	}
}

// FuzzPages writes pages of any values both ways.
func FuzzPages(f *testing.F) {
	for i, s := range nasty {
		f.Add(s, nasty[(i+1)%len(nasty)], nasty[(i+7)%len(nasty)], i)
	}
	bt := parseTemplates(f)
	f.Fuzz(func(t *testing.T, a, b, c string, n int) {
		lv := LoginView{Title: a, Username: b, Error: c, Action: b, Style: c}
		same(t, "login", bt.loginPage(t, lv), loginPage(t, lv))
		nv := NoticeView{Heading: a, Message: b, Back: c, BackText: a, Style: b}
		same(t, "notice", bt.noticePage(t, nv), noticePage(t, nv))
		rv := ReportView{Title: a, Header: []string{b, c}, Rows: [][]string{{c, a}, {b}}, Total: n, Page: n % 7, Pages: n % 5, First: n, Last: -n,
			LogoutURL: b, LogoutEverywhereURL: c, Share: &ShareView{MakeURL: a, RevokeURL: c, Lifetimes: []Lifetime{{a, b}},
				Made: &MadeLink{URL: c, Expires: b}, Links: []ListedLink{{a, c}}, ListError: n%2 == 0},
			Tokens: &TokensView{MakeURL: a, RevokeURL: b, MaxNameLen: n, Lifetimes: []Lifetime{{c, a}}, Made: &MadeToken{a, b, c},
				Tokens: []ListedToken{{a, b, c, a, b}}, ReadOnly: n%3 == 0, ListError: n%5 == 0}}
		same(t, "report", bt.reportPage(t, rv), reportPage(t, rv))
	})
}
