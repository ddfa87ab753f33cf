package main

import (
	"bytes"
	"fmt"
	"os"
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
// function, built the same way, in the same run: time from process start
// to the first request for an event (init), time per warm request, and
// the stripped arm64 binary. Run with make bench.

// hello is ./testdata/name (a hello-world aws-lambda-go function, alone
// or with an AWS SDK client made at start), built like the bootstrap(b).
func hello(b *testing.B, name string) string {
	return gobuild.Binary(b, gobuild.Build{Pkg: "./cmd/report/testdata/" + name, Flags: []string{"-tags", "lambda.norpc", "-trimpath"}, Env: []string{"CGO_ENABLED=0"}})
}

// benchInit starts bin b.N times and measures until it asks for an event.
func benchInit(b *testing.B, bin string, env ...string) {
	var total time.Duration
	peak := 0
	for b.Loop() {
		f := runtimetest.Start(b, bin, env...)
		select {
		case <-f.Ready:
			total += time.Since(f.Started)
		case <-time.After(20 * time.Second):
			b.Fatal("no request for an event")
		}
		if rss, err := f.PeakRSS(); err == nil {
			peak = max(peak, rss)
		}
		f.Stop()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/init")
	b.ReportMetric(float64(peak)/1e6, "MB-peak-RSS")
}

var reportEnv = []string{"AUTH_USERNAME=anna", "AUTH_PASSWORD=correct horse", "SESSION_SECRET=" + secret}

func BenchmarkInitHelloWorld(b *testing.B) {
	bin := hello(b, "hello")
	benchInit(b, bin)
}

// BenchmarkInitBigReport: the report of 100,000 rows (3.8 MB CSV) bundled
// in the task root, against BenchmarkInitReport (the sample) in the same
// run; it also reports the peak memory at init.
func BenchmarkInitBigReport(b *testing.B) {
	env, _ := bigReport(b)
	benchInit(b, bootstrap(b), env...)
}

// BenchmarkInitHelloWorldSDK: the hello world with the DynamoDB client
// made at start; what the SDK alone adds (its package initialisation and a
// bigger binary to page in), against which formgate's own share is read.
func BenchmarkInitHelloWorldSDK(b *testing.B) {
	bin := hello(b, "hellosdk")
	benchInit(b, bin, "AWS_REGION=eu-west-1")
}

// BenchmarkInitHelloWorldS3: the same with the S3 client.
func BenchmarkInitHelloWorldS3(b *testing.B) {
	bin := hello(b, "hellos3")
	benchInit(b, bin, "AWS_REGION=eu-west-1")
}

func BenchmarkInitReport(b *testing.B) { benchInit(b, bootstrap(b), reportEnv...) }

// BenchmarkInitReportShared: report-shared.zip's bootstrap(b) with neither a
// table nor S3 configured: what the SDK in the binary costs those who do
// not use it.
func BenchmarkInitReportShared(b *testing.B) { benchInit(b, bootstrapShared(b), reportEnv...) }

// BenchmarkInitReportS3: the sample report read from S3 at start (s3rver
// on this machine: no network in the figure).
func BenchmarkInitReportS3(b *testing.B) {
	srv := s3rvertest.Start(b)
	srv.Put("sample.csv", web.SampleCSV())
	benchInit(b, bootstrapShared(b), append(append(srv.Env(), "REPORT_CSV="+srv.Object("sample.csv")), reportEnv...)...)
}

// BenchmarkPackageInit is the time the Go runtime spends initialising
// packages before main (GODEBUG=inittrace=1), summed: all of them, and
// the AWS SDK's alone, for the default bootstrap(b) and report-shared.zip's.
func BenchmarkPackageInit(b *testing.B) {
	bins := []struct{ name, bin string }{{"report", bootstrap(b)}, {"report-shared", bootstrapShared(b)}}
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
		b.ReportMetric(sdk[i]/float64(b.N), p.name+"-sdk-ms")
	}
}

func BenchmarkInitReportTable(b *testing.B) {
	benchInit(b, bootstrapShared(b), append(reportEnv, "FORMGATE_TABLE=formgate", "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9",
		"AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x")...)
}

// benchWarm sends event to a running bin b.N times.
func benchWarm(b *testing.B, bin string, event []byte, env ...string) {
	f := runtimetest.Start(b, bin, append([]string{"LOG_LEVEL=error"}, env...)...)
	for b.Loop() {
		f.Events <- event
		if res := <-f.Results; res.IsErr || !bytes.Contains(res.Body, []byte(`"statusCode":200`)) {
			b.Fatalf("answer: %.200s", res.Body)
		}
	}
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

func BenchmarkWarmHelloWorld(b *testing.B) {
	bin := hello(b, "hello")
	benchWarm(b, bin, fixture(b, "rest-v1-cookie"))
}

func BenchmarkWarmCookieGET(b *testing.B) {
	benchWarm(b, bootstrap(b), cookieEvent(b, bootstrap(b), reportEnv), reportEnv...)
}

// BenchmarkWarmCookieGETTable: the same with the revocation read from a
// local DynamoDB (dynalite, on this machine: no network in the figure).
func BenchmarkWarmCookieGETTable(b *testing.B) {
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	benchWarm(b, bootstrapShared(b), cookieEvent(b, bootstrapShared(b), env), env...)
}

// BenchmarkBinarySize builds the stripped linux/arm64 binaries once and
// reports their sizes.
func BenchmarkBinarySize(b *testing.B) {
	sizes := map[string]float64{}
	for _, p := range []struct{ name, pkg, tags string }{{"hello", "./cmd/report/testdata/hello", "lambda.norpc"}, {"hello-sdk", "./cmd/report/testdata/hellosdk", "lambda.norpc"}, {"report", "./cmd/report", "lambda.norpc"}, {"hello-s3", "./cmd/report/testdata/hellos3", "lambda.norpc"}, {"report-shared", "./cmd/report", "lambda.norpc,dynamodb,s3"}} {
		bin := gobuild.Binary(b, gobuild.Build{Pkg: p.pkg, Name: p.name, Flags: []string{"-tags", p.tags, "-trimpath", "-ldflags=-s -w"},
			Env: []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"}})
		st, _ := os.Stat(bin)
		sizes[p.name] = float64(st.Size()) / (1 << 20)
	}
	for b.Loop() {
	}
	for name, mib := range sizes {
		b.ReportMetric(mib, name+"-MiB")
	}
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

// BenchmarkWarmShareGET: a request by a share link, beside
// BenchmarkWarmCookieGET.
func BenchmarkWarmShareGET(b *testing.B) {
	benchWarm(b, bootstrap(b), shareCookieEvent(b, bootstrap(b), reportEnv), reportEnv...)
}

// BenchmarkWarmShareGETTable: the same with the list read from dynalite
// (one GetItem), beside BenchmarkWarmCookieGETTable (one BatchGetItem).
func BenchmarkWarmShareGETTable(b *testing.B) {
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	benchWarm(b, bootstrapShared(b), shareCookieEvent(b, bootstrapShared(b), env), env...)
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

// BenchmarkWarmTokenGET: a request by a token from a tokens file
// (AUTH_TOKENS_FILE), beside BenchmarkWarmCookieGET.
func BenchmarkWarmTokenGET(b *testing.B) {
	token, id := apitoken.New()
	dir := b.TempDir()
	line := apitoken.Line{ID: id, User: "anna", Name: "bench", Hash: apitoken.HashOf(token), Expires: time.Now().Add(time.Hour)}.String()
	if err := os.WriteFile(dir+"/tokens.txt", []byte(line+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append([]string{"AUTH_TOKENS_FILE=" + dir + "/tokens.txt"}, reportEnv...)
	benchWarm(b, bootstrap(b), shareEvent(b, "rest-v1-get-form", "GET", "/report", "", "", map[string]string{"Authorization": "Bearer " + token}), env...)
}

// BenchmarkWarmTokenGETTable: a request by a token kept in dynalite (one
// GetItem), beside BenchmarkWarmCookieGETTable and
// BenchmarkWarmShareGETTable.
func BenchmarkWarmTokenGETTable(b *testing.B) {
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	benchWarm(b, bootstrapShared(b), tokenEvent(b, bootstrapShared(b), env), env...)
}
