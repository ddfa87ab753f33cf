// Package app builds formgate's HTTP handler from a Config. Both programs
// (the local server and the Lambda bootstrap) use it, so they serve exactly
// the same thing.
package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/formgate/formgate/auth"
	"github.com/formgate/formgate/config"
	"github.com/formgate/formgate/handlers"
	"github.com/formgate/formgate/session"
	"github.com/formgate/formgate/web"
)

// New returns the gate protecting the report configured in cfg: the CSV
// at cfg.ReportCSV, or the embedded sample.
func New(cfg config.Config, log *slog.Logger) (http.Handler, error) {
	pages, err := web.NewPages()
	if err != nil {
		return nil, err
	}
	data, title, filename := web.SampleCSV(), "Sample report", "sample.csv"
	if cfg.ReportCSV != "" {
		if data, err = os.ReadFile(cfg.ReportCSV); err != nil {
			return nil, fmt.Errorf("REPORT_CSV: %w; set it to the path of a CSV file bundled with the function, or unset it for the sample", err)
		}
		filename = downloadName(cfg.ReportCSV)
		title = strings.TrimSuffix(filename, filepath.Ext(filename))
	}
	table, err := handlers.ParseCSV(data)
	if err != nil {
		return nil, fmt.Errorf("REPORT_CSV %s: %w", cfg.ReportCSV, err)
	}
	report, err := handlers.NewReport(title, filename, table, pages, log)
	if err != nil {
		return nil, err
	}
	return NewWithReport(cfg, report, pages, log)
}

// NewWithReport puts the gate in front of a report handler of the caller's
// own, for Go users who serve something other than a CSV.
func NewWithReport(cfg config.Config, report http.Handler, pages *web.Pages, log *slog.Logger) (http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if pages == nil {
		var err error
		if pages, err = web.NewPages(); err != nil {
			return nil, err
		}
	}
	codec, err := session.NewCodec(cfg.SessionSecret, cfg.PreviousSessionSecret, cfg.SessionTTL)
	if err != nil {
		return nil, err
	}
	gate, err := handlers.NewGate(handlers.GateOptions{
		Checker: auth.NewStatic(cfg.Username, cfg.Password),
		Codec:   codec,
		Pages:   pages,
		Realm:   cfg.Realm,
		Report:  report,
		Log:     log,
		// 10 failed logins per client address, then one a minute.
		Throttle:        handlers.NewThrottle(10, time.Minute),
		ChallengeHeader: cfg.ChallengeHeader,
		PromptBrowsers:  cfg.BrowserLogin == config.LoginPrompt,
		TrustAuthorizer: cfg.TrustAuthorizer,
	})
	if err != nil {
		return nil, err
	}
	return logRequests(gate, log), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// downloadName is the CSV's base name, reduced to characters that are safe
// in a Content-Disposition header.
func downloadName(path string) string {
	n := unsafeName.ReplaceAllString(filepath.Base(path), "_")
	if n == "" || n == "." || n == "_" {
		return "report.csv"
	}
	return n
}

// logRequests logs one line per request: no headers, no body, no query, so
// no credential can reach the log.
func logRequests(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
