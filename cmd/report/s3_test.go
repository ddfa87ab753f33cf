package main

import (
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit/runtimetest"
	"github.com/formgate/formgate/internal/testkit/s3rvertest"
)

// REPORT_CSV=s3://… through the real bootstrap (built with -tags s3) and a
// real S3 API (s3rver), REPORT_REFRESH=1s: a new export shows after the
// refresh; while S3 is down the last good copy keeps serving, with one
// warning for the whole outage and one line when it ends.
func TestBootstrapReportFromS3(t *testing.T) {
	srv := s3rvertest.Start(t)
	srv.Put("report.csv", []byte("Team,Open tickets\nPlatform,12\n"))
	f := runtimetest.Start(t, bootstrapShared(t), append(srv.Env(), "REPORT_CSV="+srv.Object("report.csv"), "REPORT_REFRESH=1s",
		"AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET="+secret)...)
	basic := fixture(t, "rest-v1-basic")
	report := func() string {
		t.Helper()
		r := f.Invoke(t, basic)
		if status(r) != 200 {
			t.Fatalf("report: %v %.300v\nlog:\n%s", r["statusCode"], r["body"], f.Log())
		}
		return r["body"].(string)
	}
	// until polls the report until it holds want; each refresh happens on
	// a request, once REPORT_REFRESH has passed.
	until := func(what, want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(report(), want); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no %q in the report\nlog:\n%s", what, want, f.Log())
			}
		}
	}
	// untilLog polls the report until the log holds want, each answer
	// still the copy in hand.
	untilLog := func(what, want string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(f.Log(), want); time.Sleep(100 * time.Millisecond) {
			if !strings.Contains(report(), `<th scope="row">Support</th>`) {
				t.Fatalf("%s: the last good copy is not served", what)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no %q in the log:\n%s", what, want, f.Log())
			}
		}
	}

	if body := report(); !strings.Contains(body, `<th scope="row">Platform</th>`) || !strings.Contains(body, `<h1 id="report-title">report</h1>`) {
		t.Fatalf("first answer:\n%.2000s", body)
	}
	srv.Put("report.csv", []byte("Team,Open tickets\nSupport,3\n"))
	until("a new export", `<th scope="row">Support</th>`)

	srv.Stop()
	untilLog("S3 down", "report source failing")
	// One more failed refresh: requests are one at a time here, so the
	// first after REPORT_REFRESH makes it, and answers after it.
	time.Sleep(1100 * time.Millisecond)
	if !strings.Contains(report(), `<th scope="row">Support</th>`) {
		t.Fatal("S3 down, a second refresh: the last good copy is not served")
	}
	srv.Restart()
	time.Sleep(1100 * time.Millisecond)
	untilLog("S3 back", "report source back")

	f.Stop()
	var failing, back []map[string]any
	for line := range strings.Lines(f.Log()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		switch l["msg"] {
		case "report source failing: serving the last good copy":
			failing = append(failing, l)
		case "report source back":
			back = append(back, l)
		}
	}
	if len(failing) != 1 || len(back) != 1 {
		t.Fatalf("an outage is one warning and one line at its end; got %d and %d:\n%s", len(failing), len(back), f.Log())
	}
	if failing[0]["level"] != "WARN" || failing[0]["source"] != "s3://reports/report.csv" || !strings.Contains(failing[0]["err"].(string), "cannot reach S3") {
		t.Errorf("the warning: %v", failing[0])
	}
	if n, _ := back[0]["failed_requests"].(float64); n < 2 {
		t.Errorf("the outage had %v failed refreshes, want at least 2 for the one warning to mean anything: %v", n, back[0])
	}
	if strings.Contains(f.Log(), "S3RVER") {
		t.Error("the log holds the secret key")
	}
}

// A report that cannot be read from S3 at start stops the function's
// init with an error that names REPORT_CSV, the object and what to check.
func TestBootstrapS3StartErrors(t *testing.T) {
	srv := s3rvertest.Start(t)
	srv.Put("report.csv", []byte("Team,Open tickets\nPlatform,12\n"))
	api := httptest.NewServer(runtimetest.New())
	defer api.Close()
	for _, c := range []struct{ name, csv, want string }{
		{"object missing", srv.Object("missing.csv"), `REPORT_CSV: s3://reports/missing.csv: no such object (NoSuchKey): check the key`},
		{"bucket missing", "s3://other-bucket/report.csv", `REPORT_CSV: s3://other-bucket/report.csv: no such bucket (NoSuchBucket)`},
		{"no key", "s3://reports/", `REPORT_CSV=\"s3://reports/\": no key`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bootstrapShared(t))
			cmd.Env = append(srv.Env(), "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"), "REPORT_CSV="+c.csv,
				"AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET="+secret)
			out, err := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Fatalf("exit %d (%v), want 1:\n%s", code, err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			var l map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &l); err != nil || l["level"] != "ERROR" || l["msg"] != "formgate cannot start" {
				t.Fatalf("want a last JSON line, formgate cannot start:\n%s", out)
			}
			if !strings.Contains(string(out), c.want) || strings.Contains(string(out), "S3RVER") {
				t.Fatalf("want %s in\n%s", c.want, out)
			}
		})
	}
}
