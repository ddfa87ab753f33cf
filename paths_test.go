package formgate

import (
	"net/http/httptest"
	"net/url"
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
