package formgate

// Share links (Options.ShareLinks): a user logged in with a password makes
// a link that opens BasePath without one until it expires. This file holds
// the way in by a link's cookie and the check of a link; shareroutes.go
// the routes below RoutePrefix + "share"; sharepage.go what a page needs
// to offer them; shares.go the list of links, for revocation.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/formgate/formgate/internal/sharelink"
	"github.com/formgate/formgate/web"
)

const (
	// shareCookieName carries an opened link's token: the token leaves the
	// address bar, and the page's own relative links (its downloads) keep
	// working. Checked again on every request.
	shareCookieName = "formgate_share"
	// madeCookieName carries a link just made to the page the browser is
	// sent back to (post/redirect/get), for a minute, to be shown once.
	madeCookieName = "formgate_new"
	madeCookieAge  = 60
	// maxLiveLinks bounds the links on one user's list at once, so the
	// list (one DynamoDB item) stays small.
	maxLiveLinks = 20
)

// lifetimes are the share-link lifetimes offered under the cap: an hour,
// a day, a week, those above it left out, and the cap itself when it is
// none of them, shortest first.
func lifetimes(limit time.Duration) []time.Duration {
	var out []time.Duration
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		if d <= limit {
			out = append(out, d)
		}
	}
	if !slices.Contains(out, limit) {
		out = append(out, limit)
	}
	return out
}

// linkCookie is the share cookie or the made-link cookie: the session
// cookie's attributes (HttpOnly, Secure, Path, SameSite=Lax, so that a
// link opened from a chat app — a cross-site top-level GET — keeps it
// through the redirect) under another name.
func (g *Gate) linkCookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	c := g.cookie(r, value, maxAge)
	c.Name = name
	if name == madeCookieName {
		c.SameSite = http.SameSiteStrictMode // only ever read after the same-site POST that set it
	}
	return c
}

// mayShare reports whether id may make links: users who proved a password
// (a session of a form login, or Basic). Not a share visitor, and not an
// authorizer's principal, whose credential the gate never saw.
func mayShare(id Identity) bool {
	return id.Via == ViaSession || id.Via == ViaForm || id.Via == ViaBasic
}

// byShare lets in the holder of a share cookie whose link still holds,
// for what a link opens (beyondLink). It comes last: a password, a
// session or a login in the same request wins.
func (g *Gate) byShare(r *http.Request, jar *cookies) (*caller, *reply) {
	cookies := jar.named(shareCookieName)
	if len(cookies) == 0 {
		return nil, nil
	}
	l, p, err := g.checkLink(r.Context(), cookies[0].Value, time.Now())
	if err != nil {
		return nil, unavailable(linkDown)
	}
	if p != nil {
		jar.add(g.linkCookie(r, shareCookieName, "", -1))
		return nil, g.refuseLink(r, l, p, "cookie")
	}
	if stop := g.beyondLink(r, l); stop != nil {
		return nil, stop
	}
	return &caller{id: Identity{User: l.User, Via: ViaShare}}, nil
}

// beyondLink refuses what a link does not open (Options.ShareScope): any
// method but GET and HEAD, and with ShareBaseOnly any path but BasePath.
func (g *Gate) beyondLink(r *http.Request, l sharelink.Link) *reply {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if read && (g.o.ShareScope == ShareSubtree || r.URL.Path == g.o.BasePath) {
		return nil
	}
	g.o.Logger.Info("share link used beyond its scope", "method", r.Method, "maker", l.User, "id", l.ID, "remote", r.RemoteAddr)
	rp := &reply{status: http.StatusForbidden,
		notice: &web.NoticeView{Heading: "A share link can only read",
			Message: "It opens pages for reading, and nothing else. Log in with a password to do more.",
			Back:    g.ref(r.URL.Path, g.o.BasePath), BackText: "Back to the shared page"},
		text: "403 Forbidden: a share link opens pages for reading only (GET and HEAD)"}
	if read {
		rp.notice.Heading = "A share link opens only the shared page"
		rp.notice.Message = "It shows that page, and nothing else. Log in with a password to do more."
		rp.text = "403 Forbidden: a share link opens only the shared page (GET " + g.o.BasePath + ")"
	}
	return rp
}

// linkProblem is why a link no longer opens the report: a status, a word
// for the log (malformed, tampered-or-foreign, rotated, expired, revoked,
// maker-changed, maker-gone), and what the page says.
type linkProblem struct {
	status           int
	why              string
	heading, message string
}

var (
	linkMalformed = linkProblem{http.StatusUnauthorized, "malformed", "This link is incomplete",
		"The share link is cut short or garbled. Copy the whole link again, or ask whoever sent it for a new one."}
	linkForged = linkProblem{http.StatusUnauthorized, "tampered-or-foreign", "This link is not valid here",
		"The share link was changed, or it was made for another site or another page. Ask whoever sent it for a new one."}
	linkRotated = linkProblem{http.StatusUnauthorized, "rotated", "This link has ended",
		"The site's keys were changed after the link was made, which ends every link. Ask whoever sent it for a new one."}
	linkRevoked = linkProblem{http.StatusGone, "revoked", "This link was taken back",
		"Whoever made the link took it back before it expired. Ask them for a new one."}
	linkMakerChanged = linkProblem{http.StatusUnauthorized, "maker-changed", "This link no longer works",
		"The password of whoever made the link has changed since, which ends their links. Ask them for a new one."}
	linkMakerGone = linkProblem{http.StatusUnauthorized, "maker-gone", "This link no longer works",
		"The account that made the link no longer exists."}
)

// checkLink says whether token is a link that still holds: signed with
// the current key and unexpired, its maker still there with the same
// credential, and, with a list, still on it. err when that cannot be
// known (a store is down); the store's outage is logged.
func (g *Gate) checkLink(ctx context.Context, token string, now time.Time) (sharelink.Link, *linkProblem, error) {
	l, err := g.links.Decode(token, now)
	switch {
	case errors.Is(err, sharelink.ErrMalformed):
		return l, &linkMalformed, nil
	case errors.Is(err, sharelink.ErrForged):
		if g.oldLinks != nil {
			if _, err := g.oldLinks.Decode(token, now); err == nil || errors.Is(err, sharelink.ErrExpired) {
				return sharelink.Link{}, &linkRotated, nil // only to say why: never let in
			}
		}
		return sharelink.Link{}, &linkForged, nil
	case err != nil:
		return l, &linkProblem{http.StatusGone, "expired", "This link has expired",
			"It worked until " + l.Expires.UTC().Format("2 January 2006, 15:04 UTC") + ". Ask whoever sent it for a new one."}, nil
	}
	u, ok, err := g.o.Checker.Lookup(ctx, l.User)
	switch {
	case err != nil:
		g.checks.Failed(ctx, g.o.Logger, err)
		return l, nil, err
	case !ok:
		return l, &linkMakerGone, nil
	case !g.links.Made(l, u.Stamp):
		return l, &linkMakerChanged, nil
	}
	if g.o.Shares != nil {
		live, err := g.o.Shares.Live(ctx, l.User, l.ID)
		if err != nil {
			g.shares.Failed(ctx, g.o.Logger, err)
			return l, nil, err
		}
		g.shares.OK(g.o.Logger)
		if !live {
			return l, &linkRevoked, nil
		}
	}
	return l, nil, nil
}

// refuseLink answers a link that no longer holds with its page (or text,
// for a script), and logs it — never the token; the id and the maker only
// of a link the key vouches for.
func (g *Gate) refuseLink(r *http.Request, l sharelink.Link, p *linkProblem, from string) *reply {
	attrs := []any{"why", p.why, "from", from}
	if l.ID != "" {
		attrs = append(attrs, "maker", l.User, "id", l.ID)
	}
	g.o.Logger.Info("share link refused", append(attrs, "remote", r.RemoteAddr)...)
	return &reply{status: p.status,
		notice: &web.NoticeView{Heading: p.heading, Message: p.message, Back: g.ref(r.URL.Path, g.o.BasePath), BackText: "Log in"},
		text:   fmt.Sprintf("%d %s: %s. %s", p.status, http.StatusText(p.status), p.heading, p.message)}
}
