package accept

import "testing"

const (
	html = "text/html"
	json = "application/json"
	csv  = "text/csv"
)

func TestNegotiate(t *testing.T) {
	offers := []string{html, json, csv}
	for _, tt := range []struct {
		accept string
		want   string
	}{
		{"", html},
		{"*/*", html},
		{"text/csv, application/json;q=0.1", csv},
		{"application/json, text/html;q=0.5", json},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", html}, // a browser
		{"application/json", json},
		{"text/*", html},
		{"text/*;q=0.5, text/csv", csv},
		{"*/*;q=0.1, text/csv;q=0.2", csv},
		{"text/csv, application/json", csv}, // equal: the header's order
		{"application/json, text/csv", json},
		{"text/html;q=0, */*", json},          // q=0: not this one
		{"image/png", ""},                     // nothing on offer
		{"text/*;q=0, application/*;q=0", ""}, // everything refused
		{"APPLICATION/JSON", json},
		{"application/json;q=bad", html},                   // a broken q: the range is skipped
		{"text/csv;q=0;foo, application/json;q=0.5", json}, // q=0 stays 0
		{"text/csv;q=NaN, application/json;q=0.5", json},   // NaN is no q
		{"*", html},
		{"text/csv;charset=utf-8", csv},
		{" , ,", html},
	} {
		h := []string{tt.accept}
		if tt.accept == "" {
			h = nil
		}
		if got := Negotiate(h, offers...); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
	// Several Accept header lines are one list.
	if got := Negotiate([]string{"text/csv;q=0.5", "application/json"}, offers...); got != json {
		t.Errorf("two lines: %q", got)
	}
}

func TestPrefers(t *testing.T) {
	for accept, want := range map[string]bool{
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"*/*":                               false,
		"application/json, text/html;q=0.5": false,
		"text/html;q=0.9, */*;q=0.1":        true,
		"text/html;q=0":                     false,
		"text/csv, text/html":               false,
	} {
		if got := Prefers([]string{accept}, html, json, csv); got != want {
			t.Errorf("Prefers(%q) = %v", accept, got)
		}
	}
}

func TestCoding(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip, deflate, br": true, "GZIP": true, " gzip ; q=0.5": true, "x-gzip": true, "*": true, "br, *;q=0.1": true,
		"": false, "identity": false, "br": false, "gzip;q=0": false, "gzip;q=0.0": false, "*, gzip;q=0": false, "*;q=0": false,
		"gzip;q=5": false, "gzip;q=NaN": false,
	} {
		if got := Coding([]string{header}, "gzip", "x-gzip"); got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", header, got, want)
		}
	}
}
