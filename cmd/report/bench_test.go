package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit/dynalitetest"
	"github.com/formgate/formgate/internal/testkit/runtimetest"
	"github.com/formgate/formgate/internal/testkit/s3rvertest"
	"github.com/formgate/formgate/web"
)

// The cost of formgate on Lambda against the smallest aws-lambda-go
// function, built the same way, in the same run: time from process start
// to the first request for an event (init), time per warm request, and
// the stripped arm64 binary. Run with make bench.

var (
	helloOnce    = sync.OnceValues(func() (string, error) { return buildTestdata("hello") })
	helloSDKOnce = sync.OnceValues(func() (string, error) { return buildTestdata("hellosdk") })
	helloS3Once  = sync.OnceValues(func() (string, error) { return buildTestdata("hellos3") })
)

// buildTestdata builds ./testdata/name like the bootstrap (not stripped,
// as TestMain builds it).
func buildTestdata(name string) (string, error) {
	bin := filepath.Join(os.TempDir(), "formgate-bench-"+name)
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./testdata/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildErr{err, out}
	}
	return bin, nil
}

type buildErr struct {
	err error
	out []byte
}

func (e *buildErr) Error() string { return e.err.Error() + "\n" + string(e.out) }

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
	bin, err := helloOnce()
	if err != nil {
		b.Fatal(err)
	}
	benchInit(b, bin)
}

// BenchmarkInitBigReport: the report of 100,000 rows (3.8 MB CSV) bundled
// in the task root, against BenchmarkInitReport (the sample) in the same
// run; it also reports the peak memory at init.
func BenchmarkInitBigReport(b *testing.B) {
	env, _ := bigReport(b)
	benchInit(b, bootstrap, env...)
}

// BenchmarkInitHelloWorldSDK: the hello world with the DynamoDB client
// made at start; what the SDK alone adds (its package initialisation and a
// bigger binary to page in), against which formgate's own share is read.
func BenchmarkInitHelloWorldSDK(b *testing.B) {
	bin, err := helloSDKOnce()
	if err != nil {
		b.Fatal(err)
	}
	benchInit(b, bin, "AWS_REGION=eu-west-1")
}

// BenchmarkInitHelloWorldS3: the same with the S3 client.
func BenchmarkInitHelloWorldS3(b *testing.B) {
	bin, err := helloS3Once()
	if err != nil {
		b.Fatal(err)
	}
	benchInit(b, bin, "AWS_REGION=eu-west-1")
}

func BenchmarkInitReport(b *testing.B) { benchInit(b, bootstrap, reportEnv...) }

// BenchmarkInitReportShared: report-shared.zip's bootstrap with neither a
// table nor S3 configured: what the SDK in the binary costs those who do
// not use it.
func BenchmarkInitReportShared(b *testing.B) { benchInit(b, bootstrapShared, reportEnv...) }

// BenchmarkInitReportS3: the sample report read from S3 at start (s3rver
// on this machine: no network in the figure).
func BenchmarkInitReportS3(b *testing.B) {
	srv := s3rvertest.Start(b)
	srv.Put("sample.csv", web.SampleCSV())
	benchInit(b, bootstrapShared, append(append(srv.Env(), "REPORT_CSV="+srv.Object("sample.csv")), reportEnv...)...)
}

// BenchmarkPackageInit is the time the Go runtime spends initialising
// packages before main (GODEBUG=inittrace=1), summed: all of them, and
// the AWS SDK's alone, for the default bootstrap and report-shared.zip's.
func BenchmarkPackageInit(b *testing.B) {
	bins := []struct{ name, bin string }{{"report", bootstrap}, {"report-shared", bootstrapShared}}
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
	benchInit(b, bootstrapShared, append(reportEnv, "FORMGATE_TABLE=formgate", "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9",
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
// through a bootstrap with env.
func cookieEvent(b *testing.B, bin string, env []string) []byte {
	f := runtimetest.Start(b, bin, env...)
	defer f.Stop()
	login := f.Invoke(b, fixture(b, "rest-v1-post-form"))
	c := strings.SplitN(strings.SplitN(fmt.Sprint(login["multiValueHeaders"]), "formgate=", 2)[1], ";", 2)[0]
	return bytes.ReplaceAll(fixture(b, "rest-v1-cookie"), []byte("FORMGATE_COOKIE"), []byte(c))
}

func BenchmarkWarmHelloWorld(b *testing.B) {
	bin, err := helloOnce()
	if err != nil {
		b.Fatal(err)
	}
	benchWarm(b, bin, fixture(b, "rest-v1-cookie"))
}

func BenchmarkWarmCookieGET(b *testing.B) {
	benchWarm(b, bootstrap, cookieEvent(b, bootstrap, reportEnv), reportEnv...)
}

// BenchmarkWarmCookieGETTable: the same with the revocation read from a
// local DynamoDB (dynalite, on this machine: no network in the figure).
func BenchmarkWarmCookieGETTable(b *testing.B) {
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	benchWarm(b, bootstrapShared, cookieEvent(b, bootstrapShared, env), env...)
}

// BenchmarkBinarySize builds the stripped linux/arm64 binaries once and
// reports their sizes.
func BenchmarkBinarySize(b *testing.B) {
	sizes := map[string]float64{}
	for _, p := range []struct{ name, pkg, tags string }{{"hello", "./testdata/hello", "lambda.norpc"}, {"hello-sdk", "./testdata/hellosdk", "lambda.norpc"}, {"report", ".", "lambda.norpc"}, {"hello-s3", "./testdata/hellos3", "lambda.norpc"}, {"report-shared", ".", "lambda.norpc,dynamodb,s3"}} {
		bin := filepath.Join(b.TempDir(), p.name)
		cmd := exec.Command("go", "build", "-tags", p.tags, "-trimpath", "-ldflags=-s -w", "-o", bin, p.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
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
// through a bootstrap with env.
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
	benchWarm(b, bootstrap, shareCookieEvent(b, bootstrap, reportEnv), reportEnv...)
}

// BenchmarkWarmShareGETTable: the same with the list read from dynalite
// (one GetItem), beside BenchmarkWarmCookieGETTable (one BatchGetItem).
func BenchmarkWarmShareGETTable(b *testing.B) {
	db := dynalitetest.Start(b)
	db.Table("formgate")
	env := append(append([]string{"FORMGATE_TABLE=formgate"}, db.Env()...), reportEnv...)
	benchWarm(b, bootstrapShared, shareCookieEvent(b, bootstrapShared, env), env...)
}
