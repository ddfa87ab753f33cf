package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter takes its time over each write, as a busy terminal does.
type slowWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

// Every line arrives whole and in order, lines that come while one is
// being written go out together, and Close leaves nothing behind; after
// it lines are written as they come.
func TestLogWriter(t *testing.T) {
	out := &slowWriter{}
	l := newLogWriter(out)
	const lines = 2000
	var want strings.Builder
	for i := range lines {
		line := fmt.Sprintf("line %d %s\n", i, strings.Repeat("x", i%300))
		want.WriteString(line)
		l.Write([]byte(line))
	}
	l.Close()
	l.Write([]byte("after\n"))
	want.WriteString("after\n")
	if out.b.String() != want.String() {
		t.Fatalf("lines lost or out of order: %d bytes of %d", out.b.Len(), want.Len())
	}
	if out.writes >= lines/2 {
		t.Errorf("%d writes for %d lines: not batched", out.writes, lines)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// Lines from many goroutines at once all arrive, each whole.
func TestLogWriterConcurrent(t *testing.T) {
	out := &slowWriter{}
	l := newLogWriter(out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				l.Write([]byte(fmt.Sprintf("g%d %d %s\n", g, i, strings.Repeat("y", 1000))))
			}
		})
	}
	wg.Wait()
	l.Close()
	got := strings.Split(strings.TrimSuffix(out.b.String(), "\n"), "\n")
	if len(got) != 8*200 {
		t.Fatalf("%d lines of %d", len(got), 8*200)
	}
	for _, line := range got {
		if !strings.HasSuffix(line, strings.Repeat("y", 1000)) {
			t.Fatalf("a line cut: %.40q", line)
		}
	}
}
