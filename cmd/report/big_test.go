package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/testkit/bigcsv"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
)

// bigReport is a task root holding a CSV of 100,000 rows (3.8 MB) and
// the environment that serves it.
func bigReport(t testing.TB) (env []string, size int) {
	t.Helper()
	root := t.TempDir()
	csv := bigcsv.Generate(100_000)
	if err := os.WriteFile(filepath.Join(root, "sales.csv"), csv, 0o644); err != nil {
		t.Fatal(err)
	}
	return append([]string{"LAMBDA_TASK_ROOT=" + root, "REPORT_CSV=sales.csv"}, reportEnv...), len(csv)
}

// withQuery is fixture name (a REST v1 or ALB event with Basic
// credentials) asking for query, with header set.
func withQuery(t *testing.T, name string, query map[string]string, header map[string]string) []byte {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(fixture(t, name), &e); err != nil {
		t.Fatal(err)
	}
	mq := map[string]any{}
	for k, v := range query {
		mq[k] = []string{v}
	}
	e["queryStringParameters"], e["multiValueQueryStringParameters"] = query, mq
	if e["multiValueHeaders"] == nil {
		e["multiValueHeaders"] = map[string]any{}
	}
	for k, v := range header {
		if h, ok := e["headers"].(map[string]any); ok {
			h[k] = v
		}
		e["multiValueHeaders"].(map[string]any)[k] = []any{v}
	}
	b, _ := json.Marshal(e)
	return b
}

// body is an event response's body as the client gets it: base64 and
// gzip undone.
func body(t *testing.T, res map[string]any) []byte {
	t.Helper()
	b := []byte(res["body"].(string))
	if res["isBase64Encoded"] == true {
		var err error
		if b, err = base64.StdEncoding.DecodeString(string(b)); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("base64 body is not gzip: %v", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// A report of 100,000 rows through the real bootstrap: every front door
// gets an answer it can carry — gzip'd JSON, or a 406 naming what fits,
// never an event over the limit (a 502 and a restart on Lambda).
func TestBigReportThroughLambda(t *testing.T) {
	env, _ := bigReport(t)
	f := runtimetest.Start(t, bootstrap(t), env...)
	gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
	for _, tt := range []struct {
		name, fixture string
		query, header map[string]string
		status        int
		has           string
		limit         int
	}{
		{"json gzip'd", "rest-v1-basic", map[string]string{"format": "json"}, gz, 200, `"Units":`, frontdoor.LambdaLimit},
		{"json plain", "rest-v1-basic", map[string]string{"format": "json"}, nil, 406, "JSON compressed", frontdoor.LambdaLimit},
		{"csv plain fits", "rest-v1-basic", map[string]string{"format": "csv"}, nil, 200, "2026-01-01,North,Item 0000", frontdoor.LambdaLimit},
		{"page 2", "rest-v1-basic", map[string]string{"page": "2"}, gz, 200, "rows 1001–2000", frontdoor.LambdaLimit},
		{"alb json", "alb-multi-basic", map[string]string{"format": "json"}, gz, 406, "the HTML view, a page of 1000 rows", frontdoor.ALBLimit},
		{"alb page", "alb-multi-basic", map[string]string{"page": "100"}, gz, 200, "rows 99001–100000", frontdoor.ALBLimit},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.Events <- withQuery(t, tt.fixture, tt.query, tt.header)
			r := <-f.Results
			if r.IsErr || len(r.Body) > tt.limit {
				t.Fatalf("event of %d bytes (limit %d), error %v", len(r.Body), tt.limit, r.IsErr)
			}
			var res map[string]any
			if err := json.Unmarshal(r.Body, &res); err != nil {
				t.Fatal(err)
			}
			b := body(t, res)
			if status(res) != tt.status || !strings.Contains(string(b), tt.has) {
				t.Fatalf("%d, want %d with %q: %.300s", status(res), tt.status, tt.has, b)
			}
		})
	}
	if log := f.Log(); !strings.Contains(log, `"rows":100000`) || !strings.Contains(log, "too large for a front door uncompressed") {
		t.Errorf("start-up log without sizes and warning:\n%.2000s", log)
	}
}

// A report of 100,000 rows takes less than three times its CSV in memory
// at init, above the sample report's.
func TestBigReportMemory(t *testing.T) {
	env, size := bigReport(t)
	peak := func(env []string) int {
		f := runtimetest.Start(t, bootstrap(t), env...)
		<-f.Ready
		n, err := f.PeakRSS()
		if err != nil {
			t.Fatal(err)
		}
		f.Stop()
		return n
	}
	sample, big := peak(reportEnv), peak(env)
	t.Logf("peak RSS at init: sample %.1f MB, 100,000 rows %.1f MB (CSV %.1f MB): %.2f× the CSV above the sample",
		float64(sample)/1e6, float64(big)/1e6, float64(size)/1e6, float64(big-sample)/float64(size))
	if big-sample > 3*size {
		t.Errorf("init takes %d bytes more than the sample's for a %d-byte CSV", big-sample, size)
	}
}
