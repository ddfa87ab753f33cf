// Package dynalitetest runs dynalite — a DynamoDB-protocol server from npm,
// pinned in package.json — for the tests that need a real DynamoDB API:
// on a free loopback port, its data in a temporary folder so that it can
// be stopped and started again (an outage), stopped when the test ends.
package dynalitetest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/formgate/formgate/dynamostore"
)

// Server is one dynalite.
type Server struct {
	URL  string // http://127.0.0.1:PORT
	port int
	dir  string
	cli  string
	cmd  *exec.Cmd
	t    testing.TB
}

// Start runs dynalite. In CI a missing dynalite fails the test (make deps
// runs npm ci); elsewhere the test is skipped with how to get it.
func Start(t testing.TB) *Server {
	t.Helper()
	cli, err := findCLI()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("dynalite not installed (%v); make deps runs npm ci", err)
		}
		t.Skipf("dynalite not installed: run make deps (npm ci)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), port: port, dir: t.TempDir(), cli: cli, t: t}
	s.Restart()
	t.Cleanup(s.Stop)
	return s
}

// Stop ends dynalite, as an outage would.
func (s *Server) Stop() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Restart starts dynalite again on the same port with the same data.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	cmd := exec.Command("node", s.cli, "--port", fmt.Sprint(s.port), "--host", "127.0.0.1", "--path", s.dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			s.t.Fatal("dynalite exited before it listened")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		s.t.Fatal("dynalite did not start")
	}
	s.cmd = cmd
}

// Env is what a process needs to use this dynalite through the AWS SDK.
func (s *Server) Env() []string {
	return []string{"AWS_ENDPOINT_URL_DYNAMODB=" + s.URL, "AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_EC2_METADATA_DISABLED=true"}
}

// findCLI looks for node_modules/dynalite/cli.js from the working folder
// up to the module root.
func findCLI() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "node_modules", "dynalite", "cli.js")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", fmt.Errorf("%s missing", p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no node_modules/dynalite above the working folder")
		}
		dir = parent
	}
}

// Client is a DynamoDB client of its own for this dynalite, as each
// Lambda container has one.
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// Table makes the table name, as the stack would, and returns a client.
func (s *Server) Table(name string) *dynamodb.Client {
	s.t.Helper()
	c := s.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamostore.CreateTable(ctx, c, name); err != nil {
		s.t.Fatal(err)
	}
	return c
}
