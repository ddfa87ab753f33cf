// Package testkit holds what formgate's tests share and nothing that
// ships: the harnesses in its folders (local AWS-protocol servers, the
// Lambda Runtime API fake, binaries built once per run, big CSVs) and the
// test lanes.
//
// Two lanes: `go test -short ./...` runs the unit tests, in seconds;
// `go test ./...` (make test) adds the end-to-end ones — real processes,
// bootstraps, dynalite, s3rver, Chromium, Serverless, load.
package testkit

import "testing"

// EndToEnd marks tb as an end-to-end test: skipped in the unit lane
// (-short). The harnesses that start processes call it, so a test that
// uses one is in the right lane without saying so.
func EndToEnd(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("end-to-end: runs without -short (make test)")
	}
}
