package main

import (
	"io"
	"sync"
)

// logWriter hands the log's lines to a goroutine that writes them: one
// write system call for as many lines as came while the last was being
// written, where writing each in the request that logged it would cost
// every request a system call of its own (the request log is a line per
// request). Lines keep their order; Close writes what is left. Past
// maxPending bytes not yet written, Write waits for the writer, so a
// stalled terminal slows the server instead of filling its memory.
type logWriter struct {
	w       io.Writer
	mu      sync.Mutex
	cond    *sync.Cond // signalled when pending is taken or the writer stops
	pending []byte     // lines not yet handed to w
	wake    chan struct{}
	done    chan struct{}
	closed  bool
}

const maxPending = 256 << 10

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	go l.run()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	for len(l.pending) > maxPending && !l.closed {
		l.cond.Wait()
	}
	if l.closed {
		l.mu.Unlock()
		return l.w.Write(p)
	}
	l.pending = append(l.pending, p...)
	select {
	case l.wake <- struct{}{}:
	default: // the writer is awake already and will see the line
	}
	l.mu.Unlock()
	return len(p), nil
}

func (l *logWriter) run() {
	defer close(l.done)
	var batch []byte
	for range l.wake {
		l.mu.Lock()
		batch, l.pending = l.pending, batch[:0]
		l.cond.Broadcast()
		l.mu.Unlock()
		if len(batch) > 0 {
			l.w.Write(batch)
		}
	}
}

// Close writes the lines still pending; later lines are written as they
// come.
func (l *logWriter) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.cond.Broadcast()
	close(l.wake) // under mu: no Write can be sending to it
	l.mu.Unlock()
	<-l.done
	l.mu.Lock()
	rest := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(rest) > 0 {
		l.w.Write(rest)
	}
	return nil
}
