package redact

import "testing"

func TestPath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/report", "/report"},
		{"/report/_formgate/logout", "/report/_formgate/logout"},
		{"/report/_formgate/share", "/report/_formgate/share"},
		{"/report/_formgate/share/", "/report/_formgate/share/"},
		{"/report/_formgate/share/revoke", "/report/_formgate/share/revoke"},
		{"/report/_formgate/share/AXNoYXJlLWxpbvSG", "/report/_formgate/share/[token]"},
		{"/_formgate/share/AXNo/more/x", "/_formgate/share/[token]"},
		{"/a/b/_formgate/share/revokeX", "/a/b/_formgate/share/[token]"},
		{"/report/fgt_AbC-_09xyz", "/report/[token]"},
		{"/report/fgt_AbC/x/fgt_/y.csv", "/report/[token]/x/[token]/y.csv"},
		{"/report/notfgt_x", "/report/not[token]"},
		{"/report/_formgate/tokens/AbCdEfGhIjKl", "/report/_formgate/tokens/AbCdEfGhIjKl"},
	} {
		if got := Path(tt.in); got != tt.want {
			t.Errorf("Path(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
