package lambdaproxy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/formgate/formgate/lambdaproxy"
)

// The adapter's cost is the difference between serving an event through
// Invoke and serving the same request to the handler directly; the two
// benchmarks run side by side so their ratio is the measure.

func BenchmarkDirectBasic(b *testing.B) {
	h, err := testCfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "https://abc123defg.execute-api.eu-west-1.amazonaws.com/report", strings.NewReader(""))
		r.Header.Set("Accept", "*/*")
		r.SetBasicAuth("anna", "correct horse")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		io.Discard.Write(w.Body.Bytes())
	}
}

func benchInvoke(b *testing.B, fixture string) {
	h, err := testCfg.Handler(context.Background(), os.Getenv, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	a := lambdaproxy.New(h, slog.New(slog.DiscardHandler))
	payload := loadFixture(b, fixture)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := a.Invoke(context.Background(), payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInvokeRESTv1Basic(b *testing.B)  { benchInvoke(b, "rest-v1-basic") }
func BenchmarkInvokeHTTPv2Basic(b *testing.B)  { benchInvoke(b, "http-v2-basic") }
func BenchmarkInvokeHTTPv2Cookie(b *testing.B) { benchInvoke(b, "http-v2-cookie") }
func BenchmarkInvokeALBPostForm(b *testing.B)  { benchInvoke(b, "alb-multi-post-form") }
