package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
	"github.com/formgate/formgate/internal/testkit/dynalitetest"
	"github.com/formgate/formgate/internal/testkit/gobuild"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
	"github.com/formgate/formgate/internal/testkit/s3rvertest"
	"github.com/formgate/formgate/web"
)

// The cost of formgate on Lambda against the smallest aws-lambda-go
// function (testdata/hello, alone or with an AWS SDK client made at
// start), built the same way: time from process start to the first
// request for an event (init), time per warm request, the time spent
// initialising packages, and the stripped arm64 binary. Each figure is
// printed beside its baseline's and their ratio (x-base, x-hello),
// measured in turn in the same run, so that the machine's other work
// weighs on both, as medians, so that the odd run slowed by it does not
// make the figure. Run with make bench.

// hello is ./testdata/name, built like the bootstrap(b).
func hello(b *testing.B, name string) string {
	return gobuild.Binary(b, gobuild.Build{Pkg: "./cmd/report/testdata/" + name, Flags: []string{"-tags", "lambda.norpc", "-trimpath"}, Env: []string{"CGO_ENABLED=0"}})
}

// program is a bootstrap and its environment.
type program struct {
	bin string
	env []string
}

// initTime starts p and returns the time until it asks for an event, and
// its peak memory by then.
func initTime(b *testing.B, p program) (time.Duration, int) {
	f := runtimetest.Start(b, p.bin, p.env...)
	defer f.Stop()
	select {
	case <-f.Ready:
	case <-time.After(20 * time.Second):
		b.Fatal("no request for an event")
	}
	took := time.Since(f.Started)
	rss, _ := f.PeakRSS()
	return took, rss
}

// benchInit starts base and ours in turn, each once an iteration, and
// reports the median of each one's init (the machine's other work makes
// the odd start take many times as long) and the ratio of the medians.
func benchInit(b *testing.B, ours, base program) {
	var o, z []float64
	peak := 0
	for b.Loop() {
		t, _ := initTime(b, base)
		z = append(z, t.Seconds()*1000)
		t, rss := initTime(b, ours)
		o = append(o, t.Seconds()*1000)
		peak = max(peak, rss)
	}
	b.ReportMetric(median(o)*1e6, "ns/op")
	b.ReportMetric(median(o), "ms/init")
	b.ReportMetric(median(z), "base-ms/init")
	b.ReportMetric(median(o)/median(z), "x-base")
	b.ReportMetric(float64(peak)/1e6, "MB-peak-RSS")
}

// median is the middle of xs (the mean of the two middle ones for an
// even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var reportEnv = []string{"AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET=" + secret}

// sdkEnv is what the hello worlds with an SDK client read.
var sdkEnv = []string{"AWS_REGION=eu-west-1"}

// BenchmarkInit: each bootstrap against its baseline —
//
//	report               report.zip against the hello world
//	report-shared        report-shared.zip with neither a table nor S3
//	                     (what the SDK in the binary costs those who do
//	                     not use it), against the hello world
//	report-shared-vs-linked  the same against the hello world with the
//	                     DynamoDB and S3 clients linked in, not made
//	                     (testdata/hellolinked): the SDK's own floor, its
//	                     package initialisation, under that figure
//	report-shared-table  report-shared.zip with FORMGATE_TABLE, against
//	                     the hello world with the DynamoDB client: the
//	                     SDK's own floor (its package initialisation and
//	                     a bigger binary to page in)
//	report-s3            the sample read from S3 at start (s3rver on this
//	                     machine: no network in the figure), against the
//	                     hello world with the S3 client
//	big-report           a report of 100,000 rows (3.8 MB CSV) bundled in
//	                     the task root, against report.zip with the
//	                     sample; with the peak memory at init
func BenchmarkInit(b *testing.B) {
	tableEnv := append([]string{"FORMGATE_TABLE=formgate", "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9",
		"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x"}, reportEnv...)
	report := program{bootstrap(b), reportEnv}
	helloWorld := program{hello(b, "hello"), nil}
	b.Run("report", func(b *testing.B) { benchInit(b, report, helloWorld) })
	shared := program{bootstrapShared(b), reportEnv}
	b.Run("report-shared", func(b *testing.B) { benchInit(b, shared, helloWorld) })
	b.Run("report-shared-vs-linked", func(b *testing.B) { benchInit(b, shared, program{hello(b, "hellolinked"), nil}) })
	b.Run("report-shared-table", func(b *testing.B) {
		benchInit(b, program{bootstrapShared(b), tableEnv}, program{hello(b, "hellosdk"), sdkEnv})
	})
	b.Run("report-s3", func(b *testing.B) {
		srv := s3rvertest.Start(b)
		srv.Put("sample.csv", web.SampleCSV())
		env := append(append(srv.Env(), "REPORT_CSV="+srv.Object("sample.csv")), reportEnv...)
		benchInit(b, program{bootstrapShared(b), env}, program{hello(b, "hellos3"), sdkEnv})
	})
	b.Run("big-report", func(b *testing.B) {
		env, _ := bigReport(b)
		benchInit(b, program{bootstrap(b), env}, report)
	})
}

// BenchmarkPackageInit is the time the Go runtime spends initialising
// packages before main (GODEBUG=inittrace=1), summed: all of them, and
// the AWS SDK's alone, for the default bootstrap(b) and report-shared.zip's,
// beside the hello world's.
func BenchmarkPackageInit(b *testing.B) {
	bins := []struct{ name, bin string }{{"hello", hello(b, "hello")}, {"report", bootstrap(b)}, {"report-shared", bootstrapShared(b)}}
	all, sdk := make([]float64, len(bins)), make([]float64, len(bins))
	for b.Loop() {
		for i, p := range bins {
			f := runtimetest.Start(b, p.bin, append([]string{"GODEBUG=inittrace=1"}, reportEnv...)...)
			select {
			case <-f.Ready:
			case <-time.After(20 * time.Second):
				b.Fatal("no request for an event")
			}
			f.Stop()
			for line := range strings.Lines(f.Log()) {
				// init PACKAGE @T ms, D ms clock, N bytes, M allocs
				fields := strings.Fields(line)
				if len(fields) < 5 || fields[0] != "init" {
					continue
				}
				ms, err := strconv.ParseFloat(fields[4], 64)
				if err != nil {
					b.Fatalf("inittrace line %q: %v", line, err)
				}
				all[i] += ms
				if strings.HasPrefix(fields[1], "github.com/aws/") {
					sdk[i] += ms
				}
			}
		}
	}
	for i, p := range bins {
		b.ReportMetric(all[i]/float64(b.N), p.name+"-ms")
		if i > 0 {
			b.ReportMetric(sdk[i]/float64(b.N), p.name+"-sdk-ms")
		}
	}
}

// benchWarm sends each function its event in turn, block by block, and
// reports the median time per request of each one's blocks and their
// ratio.
func benchWarm(b *testing.B, ours, base *runtimetest.Function, event, baseEvent []byte) {
	const block = 20
	invoke := func(f *runtimetest.Function, event []byte) float64 {
		start := time.Now()
		for range block {
			f.Events <- event
			if res := <-f.Results; res.IsErr || !bytes.Contains(res.Body, []byte(`"statusCode":200`)) {
				b.Fatalf("answer: %.200s", res.Body)
			}
		}
		return float64(time.Since(start).Nanoseconds()) / block
	}
	var o, z []float64
	for b.Loop() {
		z = append(z, invoke(base, baseEvent))
		o = append(o, invoke(ours, event))
	}
	b.ReportMetric(median(o), "ns/op")
	b.ReportMetric(median(z), "base-ns/op")
	b.ReportMetric(median(o)/median(z), "x-base")
}

// cookieEvent is a cookie request with a session cookie from a form login
// through a bootstrap(b) with env.
func cookieEvent(b *testing.B, bin string, env []string) []byte {
	f := runtimetest.Start(b, bin, env...)
	defer f.Stop()
	login := f.Invoke(b, fixture(b, "rest-v1-post-form"))
	c := strings.SplitN(strings.SplitN(fmt.Sprint(login["multiValueHeaders"]), "formgate=", 2)[1], ";", 2)[0]
	return bytes.ReplaceAll(fixture(b, "rest-v1-cookie"), []byte("FORMGATE_COOKIE"), []byte(c))
}

// shareCookieEvent is a report request by a share link made (with Basic)
// through a bootstrap(b) with env.
func shareCookieEvent(b *testing.B, bin string, env []string) []byte {
	f := runtimetest.Start(b, bin, env...)
	defer f.Stop()
	made := f.Invoke(b, shareEvent(b, "rest-v1-basic", "POST", "/report/_formgate/share", "", "ttl=24h", map[string]string{}))
	body, _ := made["body"].(string)
	_, token, ok := strings.Cut(strings.TrimSpace(body), "/_formgate/share/")
	if !ok {
		b.Fatalf("no link: %v", made)
	}
	return shareEvent(b, "rest-v1-get-form", "GET", "/report", "", "", map[string]string{"Cookie": "formgate_share=" + token})
}

// BenchmarkWarm: a warm request through the real bootstrap against the
// hello world's, the same event in (a REST API cookie GET) —
//
//	cookie-get        a browser's session cookie, the report page
//	share-get         a request by a share link
//	cookie-get-table  the cookie GET with the revocation read from a
//	                  local DynamoDB (dynalite, on this machine: no
//	                  network in the figure; one BatchGetItem)
//	share-get-table   the share link with the list read from it (one
//	                  GetItem)
//	token-get         a script's token (Authorization: Bearer) from a
//	                  tokens file (AUTH_TOKENS_FILE)
//	token-get-table   a token kept in the table (one GetItem)
func BenchmarkWarm(b *testing.B) {
	helloEvent := fixture(b, "rest-v1-cookie")
	base := runtimetest.Start(b, hello(b, "hello"))
	quiet := append([]string{"LOG_LEVEL=error"}, reportEnv...)
	b.Run("cookie-get", func(b *testing.B) {
		ours := runtimetest.Start(b, bootstrap(b), quiet...)
		benchWarm(b, ours, base, cookieEvent(b, bootstrap(b), reportEnv), helloEvent)
	})
	b.Run("share-get", func(b *testing.B) {
		ours := runtimetest.Start(b, bootstrap(b), quiet...)
		benchWarm(b, ours, base, shareCookieEvent(b, bootstrap(b), reportEnv), helloEvent)
	})
	b.Run("token-get", func(b *testing.B) {
		token, id := apitoken.New()
		dir := b.TempDir()
		line := apitoken.Line{ID: id, User: "anna", Name: "bench", Hash: apitoken.HashOf(token), Expires: time.Now().Add(time.Hour)}.String()
		if err := os.WriteFile(dir+"/tokens.txt", []byte(line+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
		ours := runtimetest.Start(b, bootstrap(b), append([]string{"AUTH_TOKENS_FILE=" + dir + "/tokens.txt"}, quiet...)...)
		benchWarm(b, ours, base, shareEvent(b, "rest-v1-get-form", "GET", "/report", "", "", map[string]string{"Authorization": "Bearer " + token}), helloEvent)
	})
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	b.Run("cookie-get-table", func(b *testing.B) {
		ours := runtimetest.Start(b, bootstrapShared(b), append([]string{"LOG_LEVEL=error"}, env...)...)
		benchWarm(b, ours, base, cookieEvent(b, bootstrapShared(b), env), helloEvent)
	})
	b.Run("share-get-table", func(b *testing.B) {
		ours := runtimetest.Start(b, bootstrapShared(b), append([]string{"LOG_LEVEL=error"}, env...)...)
		benchWarm(b, ours, base, shareCookieEvent(b, bootstrapShared(b), env), helloEvent)
	})
	b.Run("token-get-table", func(b *testing.B) {
		ours := runtimetest.Start(b, bootstrapShared(b), append([]string{"LOG_LEVEL=error"}, env...)...)
		benchWarm(b, ours, base, tokenEvent(b, bootstrapShared(b), env), helloEvent)
	})
}

// BenchmarkBinarySize builds the stripped linux/arm64 binaries once and
// reports each one's size beside the hello world's (built the same way)
// and their ratio; hello-sdk and hello-s3 are the hello world with the
// DynamoDB or the S3 client.
func BenchmarkBinarySize(b *testing.B) {
	size := func(name, pkg, tags string) float64 {
		bin := gobuild.Binary(b, gobuild.Build{Pkg: pkg, Name: name, Flags: []string{"-tags", tags, "-trimpath", "-ldflags=-s -w"},
			Env: []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"}})
		st, err := os.Stat(bin)
		if err != nil {
			b.Fatal(err)
		}
		return float64(st.Size()) / (1 << 20)
	}
	helloMiB := size("hello", "./cmd/report/testdata/hello", "lambda.norpc")
	for _, p := range []struct{ name, pkg, tags string }{
		{"report", "./cmd/report", "lambda.norpc"},
		{"report-shared", "./cmd/report", "lambda.norpc,dynamodb,s3"},
		{"hello-sdk", "./cmd/report/testdata/hellosdk", "lambda.norpc"},
		{"hello-s3", "./cmd/report/testdata/hellos3", "lambda.norpc"},
	} {
		b.Run(p.name, func(b *testing.B) {
			mib := size(p.name, p.pkg, p.tags)
			for b.Loop() {
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(mib, "MiB")
			b.ReportMetric(helloMiB, "hello-MiB")
			b.ReportMetric(mib/helloMiB, "x-hello")
		})
	}
}

// tokenEvent is a report request by a token (Authorization: Bearer) made
// (with Basic) through a bootstrap(b) with env.
func tokenEvent(b *testing.B, bin string, env []string) []byte {
	f := runtimetest.Start(b, bin, env...)
	defer f.Stop()
	made := f.Invoke(b, shareEvent(b, "rest-v1-basic", "POST", "/report/_formgate/tokens", "", "name=bench&ttl=24h", map[string]string{}))
	token, _ := made["body"].(string)
	if !strings.HasPrefix(token, "fgt_") {
		b.Fatalf("no token: %v", made)
	}
	return shareEvent(b, "rest-v1-get-form", "GET", "/report", "", "", map[string]string{"Authorization": "Bearer " + strings.TrimSpace(token)})
}
