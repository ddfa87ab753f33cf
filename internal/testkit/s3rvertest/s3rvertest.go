// Package s3rvertest runs s3rver — an S3-protocol server from npm, pinned
// in package.json — for the tests that need a real S3 API (package
// localaws: a free loopback port, objects kept across Stop and Restart,
// stopped when the test ends), with one bucket, Bucket.
package s3rvertest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/formgate/formgate/internal/testkit/localaws"
	"github.com/formgate/formgate/s3report"
)

// Bucket is the bucket s3rver makes at start.
const Bucket = "reports"

// Server is one s3rver.
type Server struct {
	*localaws.Server
	t testing.TB
}

// Start runs s3rver. In CI a missing s3rver fails the test (make deps runs
// npm ci); elsewhere the test is skipped with how to get it.
func Start(t testing.TB) *Server {
	t.Helper()
	return &Server{localaws.Start(t, localaws.Spec{
		Script: "s3rver/bin/s3rver.js",
		Args: func(port int, dir string) []string {
			return []string{"--directory", dir, "--address", "127.0.0.1", "--port", fmt.Sprint(port), "--configure-bucket", Bucket}
		},
		Ready:   "listening",
		Service: "S3",
		Key:     "S3RVER", // s3rver checks signatures, with this key
	}), t}
}

// Object is the s3:// URL of key in Bucket.
func (s *Server) Object(key string) string { return "s3://" + Bucket + "/" + key }

// Client is an S3 client for this s3rver, made as the report's is.
func (s *Server) Client() *s3.Client {
	c, err := s3report.NewClient(s.Getenv)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// Put stores data as key in Bucket, as a new export would.
func (s *Server) Put(key string, data []byte) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		s.t.Fatal(err)
	}
}

// Delete removes key from Bucket.
func (s *Server) Delete(key string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key)}); err != nil {
		s.t.Fatal(err)
	}
}
