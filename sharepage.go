package formgate

import (
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/formgate/formgate/internal/sharelink"
)

// What a page needs to offer share links, read from the request the gate
// passed on, like LogoutURL. formgate's own report uses it as any other
// page would.

// ShareLink is a share link as a page shows it.
type ShareLink struct {
	// ID names the link (it opens nothing by itself): what a revoke
	// button posts.
	ID string
	// URL is the link to paste, absolute; "" for the links of a list,
	// whose tokens are not kept.
	URL     string
	Expires time.Time
}

// madeLink is a share link made just before, on its way to the page
// that shows it (shownOnce).
type madeLink struct {
	link  sharelink.Link
	token string
	shownOnce
}

// shownOnce is something made just before — a share link, a token — on
// its way to the page that shows it: a cookie carries it until a page
// takes it (SharingFor, TokensFor), and is cleared in that page's answer;
// not before, so a base path that redirects (/app → /app/) passes it on.
type shownOnce struct{ taken atomic.Bool }

// clearWhenShown clears the cookie that carried shown in an answer whose
// page took it.
type clearWhenShown struct {
	http.ResponseWriter
	shown   *shownOnce
	clear   *http.Cookie
	written bool
}

func (c *clearWhenShown) WriteHeader(code int) {
	if !c.written {
		c.written = true
		if c.shown.taken.Load() {
			http.SetCookie(c.ResponseWriter, c.clear)
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *clearWhenShown) Write(b []byte) (int, error) {
	if !c.written {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

func (c *clearWhenShown) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Sharing is what a page needs to offer share links to its caller.
type Sharing struct {
	// MakeURL is where a "make a share link" form POSTs, relative to the
	// request, with the field ttl: one of Lifetimes, as
	// time.Duration.String gives it.
	MakeURL string
	// Lifetimes are the lifetimes to offer, shortest first.
	Lifetimes []time.Duration
	// New is the link the caller has just made: after making one, the
	// browser is sent back to the base path, and this request carries it,
	// to be shown once (with a copy button).
	New *ShareLink
	// Links are the caller's links that still work, soonest to expire
	// first; nil when the gate keeps no list (Options.Shares nil: a link
	// ends only at its expiry, a new password of its maker, or a new
	// SessionSecret).
	Links []ShareLink
	// RevokeURL is where a "take back" button POSTs, relative to the
	// request, with the field id; "" when no list is kept.
	RevokeURL string
	// ListErr is set when the list could not be read (the gate has logged
	// the store's outage); the rest of Sharing holds.
	ListErr error
}

// SharingFor is what the page answering r offers about share links. ok is
// false when share links are off or r's caller may not make them (a share
// link's visitor; an authorizer's principal, whose password the gate never
// saw). With a list (Options.Shares) it reads the store once.
func SharingFor(r *http.Request) (s Sharing, ok bool) {
	p, ok := r.Context().Value(passedKey{}).(passed)
	if !ok || p.g.links == nil || !mayShare(p.id) {
		return Sharing{}, false
	}
	g := p.g
	s = Sharing{MakeURL: g.ref(r.URL.Path, g.routes+"share"), Lifetimes: slices.Clone(g.lifetimes)}
	if p.made != nil {
		p.made.taken.Store(true)
		s.New = &ShareLink{ID: p.made.link.ID, URL: g.linkURL(r, p.made.token), Expires: p.made.link.Expires}
	}
	if g.o.Shares == nil {
		return s, true
	}
	s.RevokeURL = g.ref(r.URL.Path, g.routes+"share/revoke")
	ctx, cancel := p.storeContext(r)
	defer cancel()
	list, err := g.o.Shares.List(ctx, p.id.User)
	if err != nil {
		g.shares.Failed(r.Context(), g.o.Logger, err)
		s.ListErr = err
		return s, true
	}
	g.shares.OK(g.o.Logger)
	now := time.Now()
	for _, l := range list {
		if now.Before(l.Expires) {
			s.Links = append(s.Links, ShareLink{ID: l.ID, Expires: l.Expires})
		}
	}
	slices.SortFunc(s.Links, func(a, b ShareLink) int { return a.Expires.Compare(b.Expires) })
	return s, true
}
