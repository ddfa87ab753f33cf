package gobuild

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A program is built once: asked again, the cache answers with the same
// file, untouched; other flags are another build.
func TestBinaryCached(t *testing.T) {
	b := Build{Pkg: "./internal/testkit/bigcsv/cmd/bigcsv"}
	first := Binary(t, b)
	st, err := os.Stat(first)
	if err != nil {
		t.Fatal(err)
	}
	if again := Binary(t, b); again != first {
		t.Fatalf("built again at %s (first %s)", again, first)
	}
	if st2, _ := os.Stat(first); !st2.ModTime().Equal(st.ModTime()) {
		t.Fatal("the cached binary was written again")
	}
	if other := Binary(t, Build{Pkg: b.Pkg, Flags: []string{"-trimpath"}}); other == first {
		t.Fatal("other flags, same binary")
	}
	out, err := exec.Command(first, "2").Output()
	if err != nil || !strings.HasPrefix(string(out), "Date,Region") {
		t.Fatalf("the binary does not run: %v %q", err, out)
	}
}
