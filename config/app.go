package config

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/handlers/report"
)

// Handler returns the report configured in c (the CSV at c.ReportCSV, a
// file or an S3 object, or the embedded sample) behind the gate, at the
// gate's base path (/report):
//
//	/report                             the report (any method), or a way to log in
//	/report/                            redirect to /report
//	/report/_formgate/logout            POST: log out
//	/report/_formgate/logout-everywhere POST: end every session of the user (with revocations)
//	/report/_formgate/share             POST: make a share link (SHARE_LINKS)
//	/report/_formgate/share/revoke      POST: take one back (with a list)
//	/report/_formgate/share/TOKEN       GET: open one
//	/report/_formgate/tokens            POST: make a token for scripts; GET: the caller's, as JSON (TOKENS)
//	/report/_formgate/tokens/revoke     POST: revoke one (not with AUTH_TOKENS_FILE)
//	/report/_formgate/tokens/ID         GET: one of the caller's, as JSON
//	GET /                               redirect to report
func (c Config) Handler(ctx context.Context, getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	src, name, err := c.ReportSource(ctx, getenv)
	if err != nil {
		return nil, err
	}
	// The title is the file's own name without its extension; the
	// download keeps the name (the report package makes it safe for the
	// header).
	title, filename := "Sample report", name
	if c.ReportCSV != "" {
		title = strings.TrimSuffix(name, filepath.Ext(name))
	}
	rp, err := report.New(ctx, report.Config{Title: title, Filename: filename, Source: src, Refresh: c.ReportRefresh, Logger: logger})
	if err != nil {
		return nil, c.ReportError(err)
	}
	o := c.Options
	o.Logger = logger
	// The report is one page with its downloads: its realm names it, and a
	// share link opens that page and nothing below it.
	o.Realm = cmp.Or(o.Realm, "report")
	o.ShareScope = formgate.ShareBaseOnly
	g, err := formgate.New(o)
	if err != nil {
		return nil, err
	}
	base := g.BasePath()
	inner := http.NewServeMux()
	inner.Handle(base, rp)
	inner.Handle(base+"/{$}", redirect("../"+filepath.Base(base)))
	outer := http.NewServeMux()
	outer.Handle("GET /{$}", redirect(strings.TrimPrefix(base, "/")))
	outer.Handle("/", g.Protect(inner))
	return outer, nil
}

// redirect answers 303 to a relative location, which keeps a stage prefix.
func redirect(location string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusSeeOther)
	})
}
