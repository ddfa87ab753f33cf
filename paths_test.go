package formgate

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/formgate/formgate/internal/frontdoor"
)

func TestRelativeRef(t *testing.T) {
	for _, tt := range []struct{ from, to, want string }{
		{"/report", "/report/_formgate/logout", "report/_formgate/logout"},
		{"/report/_formgate/logout", "/report", "../../report"},
		{"/report", "/report", "report"},
		{"/app/", "/app/", "./"},
		{"/app/", "/app/_formgate/logout", "_formgate/logout"},
		{"/app/data.json", "/app/data.json", "data.json"},
		{"/app/a/b", "/app/_formgate/logout", "../_formgate/logout"},
		{"/app/x/", "/app/", "../"},
		{"/_formgate/logout", "/", "../"},
		{"/", "/", "./"},
		{"/a:b", "/a:b", "./a:b"}, // not a URL scheme
		{"", "/report", "report"},
	} {
		got := relativeRef(tt.from, tt.to)
		if got != tt.want {
			t.Errorf("relativeRef(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
			continue
		}
		if tt.from == "" {
			continue
		}
		// What a browser makes of it, behind a stage prefix too.
		for _, prefix := range []string{"", "/dev"} {
			base, _ := url.Parse("https://example.com" + prefix + tt.from)
			ref, _ := url.Parse(got)
			if res := base.ResolveReference(ref).Path; res != prefix+tt.to {
				t.Errorf("%s%s + %q resolves to %q, want %q", prefix, tt.from, got, res, prefix+tt.to)
			}
		}
	}
}

func TestUnder(t *testing.T) {
	for _, tt := range []struct {
		path, base string
		want       bool
	}{
		{"/report", "/report", true},
		{"/report/", "/report", true},
		{"/report/x/y", "/report", true},
		{"/reports", "/report", false},
		{"/", "/report", false},
		{"/rep", "/report", false},
		{"/anything", "/", true},
		{"/", "/", true},
	} {
		if got := under(tt.path, tt.base); got != tt.want {
			t.Errorf("under(%q, %q) = %v", tt.path, tt.base, got)
		}
	}
}

// A gate's memory of references gives what working them out gives, for
// any paths asked in any order from several goroutines, and keeps at most
// maxRefs of them.
func TestRelativeRefRemembered(t *testing.T) {
	gate := newFixture(t).gate
	froms := []string{"/report", "/report/", "/dev/report", "/report/a/b", "/", "", "report", strings.Repeat("/x", 300)}
	tos := []string{"/report/_formgate/logout", "/report/_formgate/share", "/report", "/", "/a:b/c", "/report/_formgate/share/revoke"}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				from := froms[(i+g)%len(froms)] + strings.Repeat("/y", i%70)
				to := tos[(i*3+g)%len(tos)]
				if got, want := gate.ref(from, to), relativeRef(from, to); got != want {
					t.Errorf("relativeRef(%q, %q) = %q, worked out %q", from, to, got, want)
				}
			}
		})
	}
	wg.Wait()
	if m := gate.refs.Load(); m != nil && len(*m) > maxRefs {
		t.Errorf("%d references kept", len(*m))
	}
}

func TestPublicPath(t *testing.T) {
	r := httptest.NewRequest("GET", "/app/x", nil)
	if got := PublicPath(r, "/app/style.css"); got != "/app/style.css" {
		t.Errorf("no front door: %q", got)
	}
	r = r.WithContext(frontdoor.With(r.Context(), frontdoor.Info{Prefix: "/dev"}))
	if got := PublicPath(r, "/app/style.css"); got != "/dev/app/style.css" {
		t.Errorf("REST stage dev: %q", got)
	}
}
