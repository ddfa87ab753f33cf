// Package syncbuf is a buffer a child process writes to (exec copies its
// output in a goroutine) while a test reads it: the tests' one answer to
// reading a running server's log without a data race.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer safe for one writer and concurrent readers.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	dropped bool
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped {
		return len(p), nil
	}
	return s.b.Write(p)
}

// Drop keeps nothing written from now on (a benchmark's server logs a
// line a request, read as a terminal would read it, and not kept).
func (s *Buffer) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped = true
}

// String is what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
