// Package runtimetest is a small fake of the Lambda Runtime API — the
// three HTTP endpoints a provided.al2023 bootstrap talks to — so that tests
// run a real bootstrap as Lambda would: events handed out on /next, what
// the function posts back collected.
package runtimetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formgate/formgate/internal/testkit"
	"github.com/formgate/formgate/internal/testkit/syncbuf"
)

// API is the fake. Send events on Events; answers arrive on Results.
type API struct {
	Events  chan []byte
	Results chan Result
	// Ready is closed when the function first asks for an event: its init
	// is over.
	Ready chan struct{}

	mu    sync.Mutex
	seq   int
	ready bool
}

// Result is what the function posted for one event.
type Result struct {
	ID    string
	Body  []byte
	IsErr bool // posted to /error: an invocation error
}

// New returns an API with room for a few queued events.
func New() *API {
	return &API{Events: make(chan []byte, 8), Results: make(chan Result, 8), Ready: make(chan struct{})}
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/2018-06-01/runtime/")
	switch {
	case r.Method == "GET" && p == "invocation/next":
		a.mu.Lock()
		if !a.ready {
			a.ready = true
			close(a.Ready)
		}
		a.mu.Unlock()
		select {
		case ev := <-a.Events:
			a.mu.Lock()
			a.seq++
			id := fmt.Sprintf("req-%d", a.seq)
			a.mu.Unlock()
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(30*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:formgate-dev-report")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-6746e2ac-1b2c3d4e5f60718293a4b5c6;Sampled=0")
			w.Write(ev)
		case <-r.Context().Done():
		}
	case r.Method == "POST" && strings.HasPrefix(p, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(p, "invocation/"), "/")
		body, _ := io.ReadAll(r.Body)
		a.Results <- Result{ID: id, Body: body, IsErr: kind == "error"}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == "POST" && p == "init/error":
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// Invoke sends event and returns the function's answer, decoded; an
// invocation error or no answer within 20 s fails the test.
func (a *API) Invoke(t testing.TB, event []byte) map[string]any {
	t.Helper()
	a.Events <- event
	select {
	case res := <-a.Results:
		if res.IsErr {
			t.Fatalf("function returned an error: %s", res.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(res.Body, &m); err != nil {
			t.Fatalf("response %q: %v", res.Body, err)
		}
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no response from the function")
	}
	return nil
}

// Function is a bootstrap running against its own API, as Lambda runs
// each container.
type Function struct {
	*API
	// Started is when the process was started, for measuring its init.
	Started time.Time
	pid     int
	stderr  syncbuf.Buffer
	stop    func()
}

// Start runs bin with env (and AWS_LAMBDA_RUNTIME_API) until the test
// ends or Stop.
func Start(t testing.TB, bin string, env ...string) *Function {
	testkit.EndToEnd(t)
	t.Helper()
	f := &Function{API: New()}
	srv := httptest.NewServer(f.API)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Stderr = &f.stderr
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(srv.URL, "http://")}, env...)
	f.Started = time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		srv.Close()
		t.Fatal(err)
	}
	f.pid = cmd.Process.Pid
	var once sync.Once
	f.stop = func() {
		once.Do(func() {
			cancel()
			cmd.Wait()
			srv.CloseClientConnections()
			srv.Close()
		})
	}
	t.Cleanup(f.stop)
	return f
}

// PeakRSS is the most memory the process has held so far (Linux
// VmHWM, bytes), for the memory a report takes at init.
func (f *Function) PeakRSS() (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", f.pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
			return n << 10, err
		}
	}
	return 0, errors.New("runtimetest: no VmHWM in /proc status")
}

// Stop ends the process; its log is whole after.
func (f *Function) Stop() { f.stop() }

// Log is what the function wrote to standard error so far (whole after
// Stop).
func (f *Function) Log() string { return f.stderr.String() }
