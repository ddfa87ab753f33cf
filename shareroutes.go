package formgate

// The share routes below RoutePrefix + "share": make a link, open one,
// take one back (share.go has the way in by a link's cookie).

import (
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
		a.unavailable(linkDown)
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
		a.status, a.text = status, fmt.Sprintf("%d %s: the form could not be read: send it as application/x-www-form-urlencoded or multipart/form-data", status, http.StatusText(status))
		return false
	}
	return true
}

// sharePost admits a POST of the share form by a user who may share, or
// fills a with why not; what names the action for the 405.
func (g *Gate) sharePost(r *http.Request, a *answer, what string) bool {
	if r.Method != http.MethodPost {
		a.status, a.text, a.allow = http.StatusMethodNotAllowed, "405 Method Not Allowed: "+what+" with a POST", http.MethodPost
		return false
	}
	return g.member(r, a) && g.shareForm(r, a)
}

// makeLink makes a link for the user who posts, for the lifetime asked
// (field ttl, one of those offered). A browser is sent back to the report,
// which shows the new link once (the made-link cookie); a script gets the
// link as text (201).
func (g *Gate) makeLink(r *http.Request) answer {
	var a answer
	if !g.sharePost(r, &a, "make a share link") {
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
		err := g.o.Shares.Add(r.Context(), l.User, l.ID, l.Expires, maxLiveLinks)
		if errors.Is(err, ErrTooManyShares) {
			g.o.Logger.Info("share link refused: too many", "user", l.User, "remote", r.RemoteAddr)
			a.status, a.text = http.StatusConflict, fmt.Sprintf("409 Conflict: %d of your share links still work; take one back first", maxLiveLinks)
			a.notice = &web.NoticeView{Heading: "Too many share links", Message: fmt.Sprintf("%d of your share links still work. Take one back before you make another.", maxLiveLinks),
				Back: relativeRef(r.URL.Path, g.o.BasePath), BackText: "Back to the report"}
			return a
		}
		if err != nil {
			g.shares.Failed(r.Context(), g.o.Logger, err)
			a.unavailable("the share link could not be recorded; try again shortly")
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
	if !g.sharePost(r, &a, "take a share link back") {
		return a
	}
	id := r.PostFormValue("id")
	if !sharelink.ValidID(id) {
		g.o.Logger.Info("share link revocation refused: no such id", "user", a.user.Name, "remote", r.RemoteAddr)
		a.status, a.text = http.StatusBadRequest, "400 Bad Request: the field id must name one of your share links"
		return a
	}
	// Only the poster's own list is touched: another user's id is not on it.
	if err := g.o.Shares.Remove(r.Context(), a.user.Name, id); err != nil {
		g.shares.Failed(r.Context(), g.o.Logger, err)
		a.unavailable("the share link could not be taken back; try again shortly")
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
