package gate

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// incident logs a store's failure once when it starts and once when it
// ends, however many requests fail in between: an outage is one story in
// the log, not one line per request.
type incident struct {
	log  *slog.Logger
	what string

	mu       sync.Mutex
	since    time.Time // zero: no incident
	failures int
}

// failed notes a failure; not one when the request itself went away (a
// client that hung up is no outage).
func (i *incident) failed(ctx context.Context, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.since.IsZero() {
		i.since = time.Now()
		i.log.Error(i.what+" failed; logins and sessions that need it are refused until it is back", "err", err)
	}
	i.failures++
}

func (i *incident) ok() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.since.IsZero() {
		i.log.Warn(i.what+" is back", "down_s", time.Since(i.since).Round(time.Second).Seconds(), "failed_requests", i.failures)
		i.since, i.failures = time.Time{}, 0
	}
}
