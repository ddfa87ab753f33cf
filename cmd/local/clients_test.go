package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// clientBlock is a code block of the README's Scripts section.
type clientBlock struct {
	name, lang, code string
}

// readmeClients reads the blocks marked <!-- client: NAME --> in README.md,
// so that the test runs exactly what users copy.
func readmeClients(t *testing.T) []clientBlock {
	t.Helper()
	out := clientBlocks(t, "../../README.md", "client")
	if len(out) < 6 {
		t.Fatalf("found %d client blocks in README.md, want curl, curl-form, wget, python-requests, python-urllib, node", len(out))
	}
	return out
}

// clientBlocks reads the blocks of the file at path marked
// <!-- MARKER: NAME -->.
func clientBlocks(t *testing.T, path, marker string) []clientBlock {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- " + marker + ": ([a-z-]+) -->\n```([a-z]+)\n(.*?)```")
	var out []clientBlock
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out = append(out, clientBlock{m[1], m[2], m[3]})
	}
	return out
}

// tool finds a client program; in CI a missing one fails the test (make
// deps installs them), elsewhere the test says how to get it.
func tool(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found; make deps installs it", names[0])
	}
	t.Skipf("%s not found: run make deps", names[0])
	return ""
}

// A password that needs care: a space, & + % for the form encoding, and
// letters outside ASCII (that ISO-8859-1 still has, for Python requests).
const clientPassword = "pä ss+&%wörd"

// TestREADMEClients runs every client block of the README, as written,
// against the local server and against the REST API emulation.
func TestREADMEClients(t *testing.T) {
	blocks := readmeClients(t)
	run := map[string][]string{
		"sh":     {tool(t, "bash"), "-euo", "pipefail", "-c"},
		"python": {"/usr/bin/python3", "-c"}, // Debian's, with python3-requests
		"js":     {tool(t, "node"), "--input-type=module", "-e"},
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		run["python"] = []string{tool(t, "python3"), "-c"}
	}
	tool(t, "curl")
	tool(t, "wget")
	for _, server := range []struct {
		name string
		args []string
	}{{"local", nil}, {"rest-api", []string{"-gateway", "rest"}}} {
		s := startLocal(t, server.args, "AUTH_USERNAME=anna", "AUTH_PASSWORD="+clientPassword, "SESSION_SECRET="+strings.Repeat("k", 32))
		for _, b := range blocks {
			t.Run(server.name+"/"+b.name, func(t *testing.T) {
				argv := append(append([]string{}, run[b.lang]...), b.code)
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Dir = t.TempDir()
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "URL=" + s.URL, "FORMGATE_USER=anna", "FORMGATE_PASSWORD=" + clientPassword}
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "North") {
					t.Fatalf("%s: %v\n%s", b.name, err, out)
				}
				if strings.Contains(s.stderr.String(), "login failed") {
					t.Fatalf("a failed login in the server's log:\n%s", s.stderr)
				}
			})
		}
		// What the README warns about: a client that waits for a challenge
		// logs in locally, and never behind the gateway.
		t.Run(server.name+"/waits-for-challenge", func(t *testing.T) {
			out, err := exec.Command("curl", "-fsS", "--anyauth", "-u", "anna:"+clientPassword, s.URL+"?format=json").CombinedOutput()
			if ok := err == nil && strings.Contains(string(out), "North"); ok != (server.name == "local") {
				t.Fatalf("curl --anyauth %s: %v\n%s", server.name, err, out)
			}
		})
	}
}
