// Package outage logs a store's failure once when it starts and once when
// it ends, however many requests fail in between: an outage is one story
// in the log, not one line per request. The gate and the DynamoDB store
// both tell theirs this way.
package outage

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Log is one part's outage log.
type Log struct {
	// Start and End are the messages of the first and the last line.
	Start, End string
	// Attrs go on both lines (which part this is).
	Attrs []any
	// Warn logs the first line as a warning, not an error: the part has a
	// fallback that keeps serving.
	Warn bool

	mu       sync.Mutex
	since    time.Time // zero: no outage
	failures int
}

// Failed notes a failure; not one when the request itself went away (a
// client that hung up is no outage).
func (o *Log) Failed(ctx context.Context, log *slog.Logger, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since = time.Now()
		level := slog.LevelError
		if o.Warn {
			level = slog.LevelWarn
		}
		log.Log(ctx, level, o.Start, append(o.Attrs, "err", err)...)
	}
	o.failures++
}

// OK notes a success: the end of an outage, if there was one.
func (o *Log) OK(log *slog.Logger) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.since.IsZero() {
		log.Warn(o.End, append(o.Attrs, "down_s", time.Since(o.since).Round(time.Second).Seconds(), "failed_requests", o.failures)...)
		o.since, o.failures = time.Time{}, 0
	}
}
