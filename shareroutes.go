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
func (g *Gate) shareRoute(r *http.Request, jar *cookies) *reply {
	rest := strings.TrimPrefix(r.URL.Path, g.routes+"share")
	switch {
	case rest == "":
		return g.makeLink(r, jar)
	case rest == "/revoke" && g.o.Shares != nil:
		return g.revokeLink(r, jar)
	case rest == "/revoke":
		return notFound("links cannot be taken back here (no list is kept)")
	}
	return g.openLink(r, rest[1:], jar)
}

// openLink: a link checks out → its token in the share cookie, and 303 to
// the report, so the token leaves the address bar.
func (g *Gate) openLink(r *http.Request, token string, jar *cookies) *reply {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return methodNotAllowed("405 Method Not Allowed: open a share link with GET", "GET, HEAD")
	}
	now := time.Now()
	l, p, err := g.checkLink(r.Context(), token, now)
	if err != nil {
		return unavailable(linkDown)
	}
	if p != nil {
		return g.refuseLink(r, l, p, "link")
	}
	g.o.Logger.Info("share link opened", "maker", l.User, "id", l.ID, "remote", r.RemoteAddr)
	jar.add(g.linkCookie(r, shareCookieName, token, int(l.Expires.Sub(now)/time.Second)))
	return redirect(g.ref(r.URL.Path, g.o.BasePath))
}

// sharePost admits a POST of the share form by a user who may share:
// who posts, or the answer why not (what names the action for the 405).
func (g *Gate) sharePost(r *http.Request, jar *cookies, what string) (*caller, *reply) {
	if r.Method != http.MethodPost {
		return nil, methodNotAllowed("405 Method Not Allowed: "+what+" with a POST", http.MethodPost)
	}
	who, stop := g.member(r, jar)
	if stop == nil {
		stop = g.routeForm(r, "share")
	}
	if stop != nil {
		return nil, stop
	}
	return who, nil
}

// member finds out who posts to a share route: Basic credentials or a
// session that still holds; no login form, no share link.
func (g *Gate) member(r *http.Request, jar *cookies) (*caller, *reply) {
	for _, way := range []way{g.byBasic, g.bySession} {
		if who, stop := way(r, jar); who != nil || stop != nil {
			return who, stop
		}
	}
	g.o.Logger.Info("share route without a login", "method", r.Method, "remote", r.RemoteAddr)
	return nil, &reply{status: http.StatusUnauthorized, text: "401 Unauthorized: log in (a session or Basic credentials) to make or take back share links",
		notice: &web.NoticeView{Heading: "Log in to share", Message: "Only someone logged in with a password can make or take back share links.",
			Back: g.ref(r.URL.Path, g.o.BasePath), BackText: "Log in"}}
}

// makeLink makes a link for the user who posts, for the lifetime asked
// (field ttl, one of those offered). A browser is sent back to the report,
// which shows the new link once (the made-link cookie); a script gets the
// link as text (201).
func (g *Gate) makeLink(r *http.Request, jar *cookies) *reply {
	who, stop := g.sharePost(r, jar, "make a share link")
	if stop != nil {
		return stop
	}
	ttl, err := time.ParseDuration(r.PostFormValue("ttl"))
	if err != nil || !slices.Contains(g.lifetimes, ttl) {
		g.o.Logger.Info("share link refused: lifetime not offered", "user", who.user.Name, "remote", r.RemoteAddr)
		return textReply(http.StatusBadRequest, "400 Bad Request: the field ttl must be one of "+lifetimeList(g.lifetimes))
	}
	l, err := g.links.New(who.user.Name, who.user.Stamp, time.Now().Add(ttl))
	if err != nil {
		g.o.Logger.Info("share link refused", "why", err.Error(), "remote", r.RemoteAddr)
		return textReply(http.StatusBadRequest, "400 Bad Request: this user name is too long for a share link")
	}
	if stop := g.recordLink(r, l); stop != nil {
		return stop
	}
	g.o.Logger.Info("share link made", "user", l.User, "id", l.ID, "expires", l.Expires.UTC(), "via", who.id.Via, "remote", r.RemoteAddr)
	token := g.links.Encode(l)
	if wantsHTML(r) {
		jar.add(g.linkCookie(r, madeCookieName, token, madeCookieAge))
		return redirect(g.ref(r.URL.Path, g.o.BasePath))
	}
	return textReply(http.StatusCreated, g.linkURL(r, token))
}

// recordLink puts a new link on its maker's list, if one is kept: 409
// when they have too many, 503 when the store fails.
func (g *Gate) recordLink(r *http.Request, l sharelink.Link) *reply {
	if g.o.Shares == nil {
		return nil
	}
	err := g.o.Shares.Add(r.Context(), l.User, l.ID, l.Expires, maxLiveLinks)
	if errors.Is(err, ErrTooManyShares) {
		g.o.Logger.Info("share link refused: too many", "user", l.User, "remote", r.RemoteAddr)
		return &reply{status: http.StatusConflict, text: fmt.Sprintf("409 Conflict: %d of your share links still work; take one back first", maxLiveLinks),
			notice: &web.NoticeView{Heading: "Too many share links", Message: fmt.Sprintf("%d of your share links still work. Take one back before you make another.", maxLiveLinks),
				Back: g.ref(r.URL.Path, g.o.BasePath), BackText: "Back"}}
	}
	if err != nil {
		g.shares.Failed(r.Context(), g.o.Logger, err)
		return unavailable("the share link could not be recorded; try again shortly")
	}
	g.shares.OK(g.o.Logger)
	return nil
}

// revokeLink takes the poster's link (field id) off their list: it stops
// working wherever the list is shared.
func (g *Gate) revokeLink(r *http.Request, jar *cookies) *reply {
	who, stop := g.sharePost(r, jar, "take a share link back")
	if stop != nil {
		return stop
	}
	id := r.PostFormValue("id")
	if link := r.PostFormValue("link"); id == "" && link != "" {
		// A script has the link it made (201's body), not its id: the
		// link names its id, and its maker must be the poster.
		if l, err := g.links.Decode(link[strings.LastIndexByte(link, '/')+1:], time.Now()); err == nil && l.User == who.user.Name {
			id = l.ID
		} else {
			id = "-" // no link of the poster's: nothing to take back
		}
	}
	if id == "" {
		g.o.Logger.Info("share link revocation refused: no id", "user", who.user.Name, "remote", r.RemoteAddr)
		return textReply(http.StatusBadRequest, "400 Bad Request: send the field id (from the page) or link (the link itself) of one of your share links")
	}
	// Taking back is idempotent: an id not on the poster's list — another
	// user's, one taken back before, one that never was — is answered as
	// one that was, and only the log tells them apart.
	if stop := g.takeBack(r, who.user.Name, id); stop != nil {
		return stop
	}
	if wantsHTML(r) {
		return redirect(g.ref(r.URL.Path, g.o.BasePath))
	}
	return &reply{status: http.StatusNoContent}
}

// takeBack takes user's link id off their list, if it is on it.
func (g *Gate) takeBack(r *http.Request, user, id string) *reply {
	live := false
	var err error
	if sharelink.ValidID(id) {
		// Only the poster's own list is touched: another user's id is not on it.
		if live, err = g.o.Shares.Live(r.Context(), user, id); err == nil {
			err = g.o.Shares.Remove(r.Context(), user, id)
		}
	}
	if err != nil {
		g.shares.Failed(r.Context(), g.o.Logger, err)
		return unavailable("the share link could not be taken back; try again shortly")
	}
	g.shares.OK(g.o.Logger)
	if live {
		g.o.Logger.Info("share link revoked", "user", user, "id", id, "remote", r.RemoteAddr)
	} else {
		g.o.Logger.Info("share link revocation: not on the user's list of live links", "user", user, "remote", r.RemoteAddr)
	}
	return nil
}

// takeMade hands a link made just before to the page, if it is one of
// the caller's; a made-link cookie that is not is cleared at once.
func (g *Gate) takeMade(r *http.Request, id Identity, jar *cookies) *madeLink {
	if g.links == nil {
		return nil
	}
	cookies := jar.named(madeCookieName)
	if len(cookies) == 0 {
		return nil
	}
	if l, err := g.links.Decode(cookies[0].Value, time.Now()); err == nil && mayShare(id) && l.User == id.User {
		return &madeLink{link: l, token: cookies[0].Value}
	}
	jar.add(g.linkCookie(r, madeCookieName, "", -1))
	return nil
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
