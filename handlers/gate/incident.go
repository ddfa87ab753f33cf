package gate

import (
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

func (i *incident) failed(err error) {
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
