package gate

// Share links (Options.ShareLinks): a user logged in with a password makes
// a link that opens BasePath without one until it expires. This file holds
// the routes below RoutePrefix + "share" and the way in by a link's
// cookie; sharepage.go what a page needs to offer them; shares.go the
// list of links, for revocation.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/formgate/formgate/internal/frontdoor"
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
// for GET and HEAD of exactly BasePath. It comes last: a password, a
// session or a login in the same request wins.
func (g *Gate) byShare(r *http.Request, a *answer) outcome {
	cookies := r.CookiesNamed(shareCookieName)
	if len(cookies) == 0 {
		return none
	}
	l, p, err := g.checkLink(r.Context(), cookies[0].Value, time.Now())
	if err != nil {
		a.unavailable()
		return answered
	}
	if p != nil {
		g.refuseLink(r, a, l, p, "cookie")
		a.setCookie(g.linkCookie(r, shareCookieName, "", -1))
		return answered
	}
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.Path != g.o.BasePath {
		g.o.Logger.Info("share link used beyond the report", "method", r.Method, "maker", l.User, "id", l.ID, "remote", r.RemoteAddr)
		a.notice = &web.NoticeView{Heading: "A share link opens only the report",
			Message: "It shows the report and its downloads, and nothing else. Log in with a password to do more.",
			Back:    relativeRef(r.URL.Path, g.o.BasePath), BackText: "Back to the report"}
		a.status, a.text = http.StatusForbidden, "403 Forbidden: a share link opens only the report (GET "+g.o.BasePath+")"
		return answered
	}
	a.id = Identity{User: l.User, Via: ViaShare}
	return in
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
		"The share link was changed, or it was made for another site. Ask whoever sent it for a new one."}
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
func (g *Gate) refuseLink(r *http.Request, a *answer, l sharelink.Link, p *linkProblem, from string) {
	attrs := []any{"why", p.why, "from", from}
	if l.ID != "" {
		attrs = append(attrs, "maker", l.User, "id", l.ID)
	}
	g.o.Logger.Info("share link refused", append(attrs, "remote", r.RemoteAddr)...)
	a.status = p.status
	a.notice = &web.NoticeView{Heading: p.heading, Message: p.message, Back: relativeRef(r.URL.Path, g.o.BasePath), BackText: "Log in"}
	a.text = fmt.Sprintf("%d %s: %s. %s", p.status, http.StatusText(p.status), p.heading, p.message)
}

// shareRoute answers RoutePrefix + "share" (make a link), + "share/revoke"
// (take one back) and + "share/TOKEN" (open one).
func (g *Gate) shareRoute(r *http.Request) answer {
	rest := strings.TrimPrefix(r.URL.Path, g.routes+"share")
	switch {
	case rest == "":
		return g.makeLink(r)
	case rest == "/revoke" && g.o.Shares != nil:
		return g.revokeLink(r)
	case rest == "/revoke":
		return answer{status: http.StatusNotFound, text: "404 page not found: links cannot be taken back here (no list is kept)"}
	}
	return g.openLink(r, rest[1:])
}

// openLink: a link checks out → its token in the share cookie, and 303 to
// the report, so the token leaves the address bar.
func (g *Gate) openLink(r *http.Request, token string) answer {
	var a answer
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		a.status, a.text, a.allow = http.StatusMethodNotAllowed, "405 Method Not Allowed: open a share link with GET", "GET, HEAD"
		return a
	}
	now := time.Now()
	l, p, err := g.checkLink(r.Context(), token, now)
	if err != nil {
		a.unavailable()
		return a
	}
	if p != nil {
		g.refuseLink(r, &a, l, p, "link")
		return a
	}
	g.o.Logger.Info("share link opened", "maker", l.User, "id", l.ID, "remote", r.RemoteAddr)
	a.setCookie(g.linkCookie(r, shareCookieName, token, int(l.Expires.Sub(now)/time.Second)))
	a.redirect(relativeRef(r.URL.Path, g.o.BasePath))
	return a
}

// member finds out who posts to a share route: Basic credentials or a
// session that still holds; no login form, no share link. false when a
// holds the answer.
func (g *Gate) member(r *http.Request, a *answer) bool {
	for _, way := range []way{g.byBasic, g.bySession} {
		switch way(r, a) {
		case in:
			return true
		case answered:
			return false
		}
	}
	g.o.Logger.Info("share route without a login", "method", r.Method, "remote", r.RemoteAddr)
	a.status, a.text = http.StatusUnauthorized, "401 Unauthorized: log in (a session or Basic credentials) to make or take back share links"
	a.notice = &web.NoticeView{Heading: "Log in to share", Message: "Only someone logged in with a password can make or take back share links.",
		Back: relativeRef(r.URL.Path, g.o.BasePath), BackText: "Log in"}
	return false
}

// shareForm reads a share route's form into r.PostForm; false when a
// holds the answer (400 or 413).
func (g *Gate) shareForm(r *http.Request, a *answer) bool {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	err := errors.New("not a form")
	if isForm(r) {
		err = parseLoginForm(r)
	}
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		g.o.Logger.Info("bad share form", "status", status, "remote", r.RemoteAddr)
		a.status, a.text = status, "the form could not be read: send it as application/x-www-form-urlencoded or multipart/form-data"
		return false
	}
	return true
}

// makeLink makes a link for the user who posts, for the lifetime asked
// (field ttl, one of those offered). A browser is sent back to the report,
// which shows the new link once (the made-link cookie); a script gets the
// link as text (201).
func (g *Gate) makeLink(r *http.Request) answer {
	var a answer
	if r.Method != http.MethodPost {
		a.status, a.text, a.allow = http.StatusMethodNotAllowed, "405 Method Not Allowed: make a share link with a POST", http.MethodPost
		return a
	}
	if !g.member(r, &a) || !g.shareForm(r, &a) {
		return a
	}
	ttl, err := time.ParseDuration(r.PostFormValue("ttl"))
	if err != nil || !slices.Contains(g.lifetimes, ttl) {
		g.o.Logger.Info("share link refused: lifetime not offered", "user", a.user.Name, "remote", r.RemoteAddr)
		a.status, a.text = http.StatusBadRequest, "400 Bad Request: the field ttl must be one of "+lifetimeList(g.lifetimes)
		return a
	}
	now := time.Now()
	l, err := g.links.New(a.user.Name, a.user.Stamp, now.Add(ttl))
	if err != nil {
		g.o.Logger.Info("share link refused", "why", err.Error(), "remote", r.RemoteAddr)
		a.status, a.text = http.StatusBadRequest, "400 Bad Request: this user name is too long for a share link"
		return a
	}
	if g.o.Shares != nil {
		list, err := g.o.Shares.List(r.Context(), l.User)
		if err == nil && len(list) >= maxLiveLinks {
			g.o.Logger.Info("share link refused: too many", "user", l.User, "remote", r.RemoteAddr)
			a.status, a.text = http.StatusConflict, fmt.Sprintf("409 Conflict: %d of your share links still work; take one back first", len(list))
			a.notice = &web.NoticeView{Heading: "Too many share links", Message: fmt.Sprintf("%d of your share links still work. Take one back before you make another.", len(list)),
				Back: relativeRef(r.URL.Path, g.o.BasePath), BackText: "Back to the report"}
			return a
		}
		if err == nil {
			err = g.o.Shares.Add(r.Context(), l.User, l.ID, l.Expires)
		}
		if err != nil {
			g.shares.Failed(r.Context(), g.o.Logger, err)
			a.unavailable()
			a.text = "503 Service Unavailable: the share link could not be recorded; try again shortly"
			return a
		}
		g.shares.OK(g.o.Logger)
	}
	g.o.Logger.Info("share link made", "user", l.User, "id", l.ID, "expires", l.Expires.UTC(), "via", a.id.Via, "remote", r.RemoteAddr)
	token := g.links.Encode(l)
	if wantsHTML(r) {
		a.setCookie(g.linkCookie(r, madeCookieName, token, madeCookieAge))
		a.redirect(relativeRef(r.URL.Path, g.o.BasePath))
		return a
	}
	a.status, a.text = http.StatusCreated, g.linkURL(r, token)
	return a
}

// revokeLink takes the poster's link (field id) off their list: it stops
// working wherever the list is shared.
func (g *Gate) revokeLink(r *http.Request) answer {
	var a answer
	if r.Method != http.MethodPost {
		a.status, a.text, a.allow = http.StatusMethodNotAllowed, "405 Method Not Allowed: take a share link back with a POST", http.MethodPost
		return a
	}
	if !g.member(r, &a) || !g.shareForm(r, &a) {
		return a
	}
	id := r.PostFormValue("id")
	if len(id) != 12 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		g.o.Logger.Info("share link revocation refused: no such id", "user", a.user.Name, "remote", r.RemoteAddr)
		a.status, a.text = http.StatusBadRequest, "400 Bad Request: the field id must name one of your share links"
		return a
	}
	// Only the poster's own list is touched: another user's id is not on it.
	if err := g.o.Shares.Remove(r.Context(), a.user.Name, id); err != nil {
		g.shares.Failed(r.Context(), g.o.Logger, err)
		a.unavailable()
		a.text = "503 Service Unavailable: the share link could not be taken back; try again shortly"
		return a
	}
	g.shares.OK(g.o.Logger)
	g.o.Logger.Info("share link revoked", "user", a.user.Name, "id", id, "remote", r.RemoteAddr)
	if wantsHTML(r) {
		a.redirect(relativeRef(r.URL.Path, g.o.BasePath))
		return a
	}
	a.status = http.StatusNoContent
	return a
}

// takeMade hands a link made just before to the page (once: the cookie
// is cleared), if it is one of the caller's.
func (g *Gate) takeMade(r *http.Request, a *answer) {
	if g.links == nil {
		return
	}
	cookies := r.CookiesNamed(madeCookieName)
	if len(cookies) == 0 {
		return
	}
	a.setCookie(g.linkCookie(r, madeCookieName, "", -1))
	if !mayShare(a.id) {
		return
	}
	if l, err := g.links.Decode(cookies[0].Value, time.Now()); err == nil && l.User == a.id.User {
		a.made = &madeLink{link: l, token: cookies[0].Value}
	}
}

// linkURL is the link to paste: absolute, from the request's host and
// public path (front door prefix + base path), since it is opened in
// another browser. A Host that is no host name gives a path alone.
func (g *Gate) linkURL(r *http.Request, token string) string {
	p := frontdoor.From(r.Context()).Prefix + g.routes + "share/" + token
	if r.Host == "" || strings.Trim(r.Host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]") != "" {
		return p
	}
	scheme := "https"
	if plainLoopback(r) {
		scheme = "http"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: p}).String()
}

// lifetimeList is the lifetimes as a script may send them: "1h, 24h,
// 168h".
func lifetimeList(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		switch {
		case d%time.Hour == 0:
			s[i] = fmt.Sprintf("%dh", d/time.Hour)
		case d%time.Minute == 0:
			s[i] = fmt.Sprintf("%dm", d/time.Minute)
		default:
			s[i] = d.String()
		}
	}
	return strings.Join(s, ", ")
}
