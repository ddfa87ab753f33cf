// Package localaws runs a local AWS-protocol server from npm — dynalite
// for DynamoDB, s3rver for S3, both pinned in package.json — for the
// tests that need the real API: on a free loopback port, its data in a
// temporary folder so that it can be stopped and started again (an
// outage), stopped when the test ends. Packages dynalitetest and
// s3rvertest are the two servers.
package localaws

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/formgate/formgate/internal/awsenv"
	"github.com/formgate/formgate/internal/testkit"
)

// Spec says how to run one server.
type Spec struct {
	// Script is its command-line entry point under node_modules
	// ("dynalite/cli.js").
	Script string
	// Args are its arguments to listen on 127.0.0.1:port and keep its
	// data in dir.
	Args func(port int, dir string) []string
	// Ready is what it prints once it listens.
	Ready string
	// Service names its endpoint variable, AWS_ENDPOINT_URL_<Service>.
	Service string
	// Key is the access key ID and secret it takes; "local" if empty.
	Key string
}

// Server is one running server.
type Server struct {
	URL  string // http://127.0.0.1:PORT
	spec Spec
	port int
	dir  string
	cli  string
	cmd  *exec.Cmd
	t    testing.TB
}

// Start runs the server. In CI (CI set) a missing package fails the
// test, since make deps runs npm ci; elsewhere the test is skipped with
// how to get it.
func Start(t testing.TB, spec Spec) *Server {
	testkit.EndToEnd(t)
	t.Helper()
	cli, err := findCLI(spec.Script)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v; make deps runs npm ci", err)
		}
		t.Skipf("%v: run make deps (npm ci)", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), spec: spec, port: port, dir: t.TempDir(), cli: cli, t: t}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Stop ends the server, as an outage would.
func (s *Server) Stop() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Freeze halts the server without closing its port (SIGSTOP): the
// kernel still accepts connections and nothing answers, as from a server
// that hangs.
func (s *Server) Freeze() { s.cmd.Process.Signal(syscall.SIGSTOP) }

// Thaw lets a frozen server go on.
func (s *Server) Thaw() { s.cmd.Process.Signal(syscall.SIGCONT) }

// Restart starts the server again on the same port with the same data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	cmd := exec.Command("node", append([]string{s.cli}, s.spec.Args(s.port, s.dir)...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	// nil once it listens; else all it said before it exited.
	ready := make(chan *strings.Builder, 1)
	go func() {
		said := new(strings.Builder)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), s.spec.Ready) {
				ready <- nil
				io.Copy(io.Discard, out) // its request log: drained, or it would block
				return
			}
			said.WriteString(sc.Text() + "\n")
		}
		ready <- said
	}()
	select {
	case said := <-ready:
		if said != nil {
			cmd.Wait()
			s.t.Fatalf("%s exited before it listened:\n%s", s.spec.Script, said)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		s.t.Fatalf("%s did not start", s.spec.Script)
	}
	s.cmd = cmd
}

// Env is what a process needs to use this server through the AWS SDK.
func (s *Server) Env() []string {
	key := cmp.Or(s.spec.Key, "local")
	return []string{"AWS_ENDPOINT_URL_" + s.spec.Service + "=" + s.URL, "AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + key, "AWS_EC2_METADATA_DISABLED=true"}
}

// Getenv looks a variable up in Env, for code that takes a getenv.
func (s *Server) Getenv(k string) string {
	for _, kv := range s.Env() {
		if name, v, _ := strings.Cut(kv, "="); name == k {
			return v
		}
	}
	return ""
}

// Config is a client's settings for this server, as a function given
// Env would make them.
func (s *Server) Config() aws.Config {
	c, err := awsenv.Config(s.Getenv, s.spec.Service)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// findCLI looks for node_modules/script from the working folder up to the
// module root.
func findCLI(script string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "node_modules", filepath.FromSlash(script))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", fmt.Errorf("%s not installed (%s missing)", strings.Split(script, "/")[0], p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not installed (no node_modules above the working folder)", strings.Split(script, "/")[0])
		}
		dir = parent
	}
}
