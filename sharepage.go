package formgate

import (
	"net/http"
	"slices"
	"time"

	"github.com/formgate/formgate/internal/sharelink"
)

// What a page needs to offer share links, read from the request the gate
// passed on, like LogoutURL. formgate's own report uses these as any
// other page would.

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

// madeLink is a share link made just before, on its way to the page.
type madeLink struct {
	link  sharelink.Link
	token string
}

func sharing(r *http.Request) (passed, bool) {
	p, ok := r.Context().Value(passedKey{}).(passed)
	if !ok || p.g.links == nil || !mayShare(p.id) {
		return passed{}, false
	}
	return p, true
}

// ShareURL is where a page's "make a share link" form POSTs, relative to
// r, with the field ttl: one of ShareLifetimes(r), as time.Duration's
// String gives it. "" when ShareLinks is off, or r's identity may not
// make links (a share link's visitor; an authorizer's principal, whose
// password the gate never saw).
func ShareURL(r *http.Request) string {
	p, ok := sharing(r)
	if !ok {
		return ""
	}
	return relativeRef(r.URL.Path, p.g.routes+"share")
}

// ShareLifetimes are the lifetimes a page should offer, shortest first;
// nil when ShareURL(r) is "".
func ShareLifetimes(r *http.Request) []time.Duration {
	p, ok := sharing(r)
	if !ok {
		return nil
	}
	return slices.Clone(p.g.lifetimes)
}

// NewShareLink is the link r's user has just made: after making one, the
// browser is sent back to the base path, and this request carries it, to
// be shown once (with a copy button).
func NewShareLink(r *http.Request) (ShareLink, bool) {
	p, ok := sharing(r)
	if !ok || p.made == nil {
		return ShareLink{}, false
	}
	return ShareLink{ID: p.made.link.ID, URL: p.g.linkURL(r, p.made.token), Expires: p.made.link.Expires}, true
}

// ShareLinks lists the links r's user made that still work, soonest to
// expire first, and where a button that takes one back POSTs (relative
// to r, with the field id). revokeURL is "" when the gate keeps no list
// (Options.Shares nil: a link ends only at its expiry, a new password of
// its maker, or a new SessionSecret) or r may not make links. Each call
// reads the store once; err is a store that could not be read.
func ShareLinks(r *http.Request) (links []ShareLink, revokeURL string, err error) {
	p, ok := sharing(r)
	if !ok || p.g.o.Shares == nil {
		return nil, "", nil
	}
	revokeURL = relativeRef(r.URL.Path, p.g.routes+"share/revoke")
	list, err := p.g.o.Shares.List(r.Context(), p.id.User)
	if err != nil {
		p.g.shares.Failed(r.Context(), p.g.o.Logger, err)
		return nil, revokeURL, err
	}
	p.g.shares.OK(p.g.o.Logger)
	now := time.Now()
	for _, s := range list {
		if now.Before(s.Expires) {
			links = append(links, ShareLink{ID: s.ID, Expires: s.Expires})
		}
	}
	slices.SortFunc(links, func(a, b ShareLink) int { return a.Expires.Compare(b.Expires) })
	return links, revokeURL, nil
}
