package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/htpasswd"
	"github.com/formgate/formgate/internal/apitoken"
	"github.com/formgate/formgate/internal/testkit/gobuild"
	"github.com/formgate/formgate/internal/testkit/syncbuf"
)

// bin is the command, built once per state of the source: its tests run
// it as an operator does, so they are end-to-end.
func bin(t testing.TB) string {
	return gobuild.Binary(t, gobuild.Build{Pkg: "./cmd/hash-password"})
}

// checks reports whether line (user:hash) accepts password.
func checks(t *testing.T, line, user, password string) bool {
	t.Helper()
	u, err := htpasswd.Parse(strings.NewReader(line))
	if err != nil {
		t.Fatalf("output %q does not parse: %v", line, err)
	}
	_, ok, _ := u.Check(context.Background(), user, password)
	return ok
}

// Piped: one line from standard input, the line or the hash on standard
// output, what it is on standard error.
func TestPiped(t *testing.T) {
	for _, tt := range []struct {
		args []string
		kind string
	}{
		{[]string{"-cost", "4", "anna"}, "bcrypt, cost 4"},
		{[]string{"-argon2id", "anna"}, "argon2id, 19 MiB"},
		{[]string{"-cost", "4"}, "for AUTH_PASSWORD_HASH"},
	} {
		cmd := exec.Command(bin(t), tt.args...)
		cmd.Stdin = strings.NewReader("pässwörd with spaces\n")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, stderr.String())
		}
		line := strings.TrimSpace(string(out))
		if !strings.HasPrefix(line, "anna:") {
			line = "anna:" + line // the hash alone
		}
		if !checks(t, line, "anna", "pässwörd with spaces") || checks(t, line, "anna", "pässwörd") {
			t.Errorf("%v: %q does not check exactly the password", tt.args, line)
		}
		if !strings.Contains(stderr.String(), tt.kind) || strings.Contains(stderr.String(), "pässwörd") {
			t.Errorf("%v: stderr %q", tt.args, stderr.String())
		}
	}
}

func TestRefuses(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"a:b"}, "pw\n", "without ':'"},
		{[]string{"-cost", "99"}, "pw\n", "-cost 99"},
		{nil, "", "no password"},
		{[]string{"a", "b"}, "pw\n", "at most one user name, after the flags"},
		{[]string{"-argon2id", "-cost", "12"}, "pw\n", "-cost is bcrypt's"},
		{nil, strings.Repeat("x", 73) + "\n", "use -argon2id for a longer one"},
		{[]string{"-check", "../../config/testdata/sha.htpasswd"}, "", "line 1"},
	} {
		cmd := exec.Command(bin(t), tt.args...)
		cmd.Stdin = strings.NewReader(tt.stdin)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("%v: %v %s", tt.args, err, out)
		}
	}
}

// On a terminal: asked twice, no echo, and two different answers write
// nothing. script(1) gives the command a terminal.
func TestTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("script(1) not found; .ci/run installs util-linux")
		}
		t.Skip("script(1) not found (util-linux)")
	}
	for _, tt := range []struct {
		first, second string
		ok            bool
	}{
		{"s3cret pw", "s3cret pw", true},
		{"s3cret pw", "another", false},
	} {
		cmd := exec.Command(script, "-qec", bin(t)+" -cost 4 anna", "/dev/null")
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		screen := &syncbuf.Buffer{}
		cmd.Stdout, cmd.Stderr = screen, screen
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Type each answer only once its prompt is on the screen, as a
		// person does: echo is off by then.
		for _, step := range []struct{ prompt, typed string }{{"Password: ", tt.first}, {"Again: ", tt.second}} {
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(screen.String(), step.prompt) {
				if time.Now().After(deadline) {
					t.Fatalf("no prompt %q; screen:\n%s", step.prompt, screen)
				}
				time.Sleep(10 * time.Millisecond)
			}
			io.WriteString(in, step.typed+"\n")
		}
		err = cmd.Wait()
		out := screen.String()
		if tt.ok != (err == nil) || strings.Contains(out, "s3cret") {
			t.Fatalf("typed %q, %q: err %v, screen:\n%s", tt.first, tt.second, err, out)
		}
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "anna:$2a$") {
				line = strings.TrimSpace(l)
			}
		}
		if tt.ok && !checks(t, line, "anna", "s3cret pw") {
			t.Fatalf("the line written does not check: %q", line)
		}
		if !tt.ok && (line != "" || !strings.Contains(out, "differ")) {
			t.Fatalf("two different passwords: %q", out)
		}
	}
}

func TestCheckFile(t *testing.T) {
	out, err := exec.Command(bin(t), "-check", "../../htpasswd/testdata/users.htpasswd").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3 users, all usable") {
		t.Fatalf("%v %s", err, out)
	}
}

// -token: the line on standard output (for >> tokens.txt), the token on
// standard error, once; the line holds its hash, never the token, and
// -check-tokens reads the file back.
func TestToken(t *testing.T) {
	cmd := exec.Command(bin(t), "-token", "ci: nightly", "-ttl", "720h", "anna")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	token := strings.TrimSpace(stderr.String()[strings.LastIndex(strings.TrimSpace(stderr.String()), "\n")+1:])
	l, err := apitoken.ParseLine(strings.TrimSpace(string(out)))
	if err != nil || l.User != "anna" || l.Name != "ci: nightly" || l.Hash != apitoken.HashOf(token) || !strings.HasPrefix(token, "fgt_"+l.ID) || strings.Contains(string(out), token) {
		t.Fatalf("line %q (%v), token %q", out, err, token)
	}
	if d := time.Until(l.Expires); d < 719*time.Hour || d > 720*time.Hour {
		t.Fatalf("expires in %v", d)
	}
	file := filepath.Join(t.TempDir(), "tokens.txt")
	os.WriteFile(file, out, 0o600)
	if out, err := exec.Command(bin(t), "-check-tokens", file).CombinedOutput(); err != nil || !strings.Contains(string(out), "1 token, 0 of them expired") {
		t.Fatalf("-check-tokens: %v %s", err, out)
	}
	for _, args := range [][]string{{"-token", "ci"}, {"-token", "ci", "a:b"}, {"-token", "ci", "anna", "bob"}, {"-token", "a\tb", "anna"},
		{"-token", "ci", "-ttl", "30s", "anna"}, {"-token", "ci", "-ttl", "20000h", "anna"}} {
		out, err := exec.Command(bin(t), args...).CombinedOutput()
		if err == nil || strings.Contains(string(out), "fgt_") {
			t.Errorf("%v: %v %s", args, err, out)
		}
	}
}
