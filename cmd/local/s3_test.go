package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/formgate/formgate/internal/testkit/s3rvertest"
)

// cmd/local (built with -tags s3) shows a report from a local S3 server
// with the environment the README's command sets: the title and the
// download's name come from the object's key.
func TestLocalReportFromS3(t *testing.T) {
	srv := s3rvertest.Start(t)
	csv := "Region,Orders\nNorth,17\nSouth,4\n"
	srv.Put("exports/sales.csv", []byte(csv))
	bin := localBin(t, "-tags", "dynamodb,s3")
	s := startLocalBin(t, bin, nil, append(srv.Env(), "REPORT_CSV="+srv.Object("exports/sales.csv"), "AUTH_PASSWORD=pw-for-s3")...)
	get := func(query string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+query, nil)
		req.SetBasicAuth("admin", "pw-for-s3")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, body := get("?format=csv"); resp.StatusCode != 200 || body != csv || resp.Header.Get("Content-Disposition") != "attachment; filename=sales.csv" {
		t.Fatalf("CSV: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	if resp, body := get(""); resp.StatusCode != 200 || !strings.Contains(body, `<h1 id="report-title">sales</h1>`) || !strings.Contains(body, `<th scope="row">North</th>`) {
		t.Fatalf("HTML: %d\n%.1500s", resp.StatusCode, body)
	}
}
