package outage

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestOutage(t *testing.T) {
	for _, tt := range []struct {
		name  string
		warn  bool
		level string
	}{
		{"error", false, "level=ERROR"},
		{"warn", true, "level=WARN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, nil))
			o := &Log{Start: "store failed", End: "store is back", Attrs: []any{"store", "table"}, Warn: tt.warn}
			down := errors.New("connection refused")
			o.OK(log) // no outage yet: nothing to say
			for range 3 {
				o.Failed(context.Background(), log, down)
			}
			o.OK(log)
			o.OK(log) // the end is said once
			o.Failed(context.Background(), log, down)
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 3 {
				t.Fatalf("want a start, an end and the next start, got %d lines:\n%s", len(lines), buf.String())
			}
			for i, want := range [][]string{
				{tt.level, `msg="store failed"`, "store=table", `err="connection refused"`},
				{"level=WARN", `msg="store is back"`, "store=table", "down_s=0", "failed_requests=3"},
				{tt.level, `msg="store failed"`},
			} {
				for _, w := range want {
					if !strings.Contains(lines[i], w) {
						t.Errorf("line %d: no %s in %s", i+1, w, lines[i])
					}
				}
			}
		})
	}
}

// TestOutageNotTheClients: a request that went away, or a cancelled
// context, is no outage.
func TestOutageNotTheClients(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	o := &Log{Start: "store failed", End: "store is back"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o.Failed(ctx, log, errors.New("request went away"))
	o.Failed(context.Background(), log, context.Canceled)
	o.OK(log)
	if buf.Len() != 0 {
		t.Errorf("logged:\n%s", buf.String())
	}
}
