// Package dynalitetest runs dynalite — a DynamoDB-protocol server from npm,
// pinned in package.json — for the tests that need a real DynamoDB API
// (package localaws: a free loopback port, data kept across Stop and
// Restart, stopped when the test ends).
package dynalitetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/formgate/formgate/dynamostore"
	"github.com/formgate/formgate/internal/testkit/localaws"
)

// Server is one dynalite.
type Server struct {
	*localaws.Server
	t testing.TB
}

// Start runs dynalite. In CI a missing dynalite fails the test (make deps
// runs npm ci); elsewhere the test is skipped with how to get it.
func Start(t testing.TB) *Server {
	t.Helper()
	return &Server{localaws.Start(t, localaws.Spec{
		Script: "dynalite/cli.js",
		Args: func(port int, dir string) []string {
			return []string{"--port", fmt.Sprint(port), "--host", "127.0.0.1", "--path", dir}
		},
		Ready:   "listening",
		Service: "DYNAMODB",
	}), t}
}

// Client is a DynamoDB client of its own for this dynalite, as each
// Lambda container has one.
func (s *Server) Client() *dynamodb.Client { return dynamodb.NewFromConfig(s.Config()) }

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
