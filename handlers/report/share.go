package report

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/web"
)

// shareView is the share panel of r's page, from the gate's one answer
// about sharing, as any page behind the gate would read it; nil when r's
// caller may not make links (share links off, a share link's visitor).
func (rp *Report) shareView(r *http.Request) *web.ShareView {
	s, ok := formgate.SharingFor(r)
	if !ok {
		return nil
	}
	v := &web.ShareView{MakeURL: s.MakeURL, RevokeURL: s.RevokeURL, Lifetimes: rp.shareLabels.of(s.Lifetimes)}
	if s.New != nil {
		v.Made = &web.MadeLink{URL: s.New.URL, Expires: when(s.New.Expires)}
	}
	// The gate logs the store's outage; the page says the list is
	// missing, and the rest of it works.
	v.ListError = s.ListErr != nil
	for _, l := range s.Links {
		v.Links = append(v.Links, web.ListedLink{ID: l.ID, Expires: when(l.Expires)})
	}
	return v
}

// labels are a form's choices for a gate's lifetimes, labelled once: a
// gate offers the same ones on every page (one for share links, one for
// tokens).
type labels struct{ last atomic.Pointer[labelled] }

type labelled struct {
	ds []time.Duration
	ls []web.Lifetime
}

// of is the choices for lifetimes ds. The pages only read them.
func (l *labels) of(ds []time.Duration) []web.Lifetime {
	if c := l.last.Load(); c != nil && slices.Equal(c.ds, ds) {
		return c.ls
	}
	c := &labelled{ds: slices.Clone(ds)}
	for _, d := range ds {
		c.ls = append(c.ls, web.Lifetime{Value: d.String(), Label: label(d)})
	}
	l.last.Store(c)
	return c.ls
}

// panelKey is what makes one panel (share links, tokens) differ from
// another on a page that is kept: the zero value for none.
type panelKey struct {
	on, readOnly bool
	make, revoke string
}

// shareKey keys the rendered page by its share panel, and reports false
// when the panel changes from request to request (a new link, a list)
// and the page must not be kept.
func shareKey(v *web.ShareView) (key panelKey, keep bool) {
	if v == nil {
		return panelKey{}, true
	}
	if v.Made != nil || len(v.Links) > 0 || v.ListError {
		return panelKey{}, false
	}
	return panelKey{on: true, make: v.MakeURL, revoke: v.RevokeURL}, true
}

// label names a lifetime as a person reads it: "1 hour", "7 days".
func label(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// when is an expiry as the page shows it, in UTC: a link is opened
// anywhere.
func when(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }
