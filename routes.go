// The gate's own routes below BasePath + RoutePrefix: logout, "log out
// everywhere" (with Revocations), and the share routes (shareroutes.go).
// Logouts are POSTs: a GET could be triggered by any link or image on
// another page.

package formgate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ownRoute answers a request below BasePath + RoutePrefix.
func (g *Gate) ownRoute(r *http.Request, jar *cookies) *reply {
	p := r.URL.Path
	switch {
	case g.links != nil && (p == g.routes+"share" || strings.HasPrefix(p, g.routes+"share/")):
		return g.shareRoute(r, jar)
	case g.o.Tokens != nil && (p == g.routes+"tokens" || strings.HasPrefix(p, g.routes+"tokens/")):
		return g.tokenRoute(r, jar)
	case p == g.routes+"logout":
		return g.logout(r, jar)
	case p == g.routes+"logout-everywhere" && g.o.Revocations != nil:
		return g.logoutEverywhere(r, jar)
	}
	// Say which of the gate's features is off, so that a developer can
	// tell it from a route of their own that is missing.
	for _, off := range []struct {
		route, why string
		on         bool
	}{
		{"share", "share links are off (Options.ShareLinks)", g.links != nil},
		{"tokens", "tokens for scripts are off (Options.Tokens)", g.o.Tokens != nil},
		{"logout-everywhere", "log out everywhere needs Options.Revocations", g.o.Revocations != nil},
	} {
		if !off.on && (p == g.routes+off.route || strings.HasPrefix(p, g.routes+off.route+"/")) {
			rp := notFound(off.why)
			rp.why = off.why
			return rp
		}
	}
	return notFound("")
}

// logout clears the browser's cookies and, with Revocations, ends the
// session for every copy of its cookie.
func (g *Gate) logout(r *http.Request, jar *cookies) *reply {
	if r.Method != http.MethodPost {
		return methodNotAllowed("log out with a POST", http.MethodPost)
	}
	s, ok := g.session(jar)
	// The browser's cookies go in every case, even when the session
	// could not be ended in the store (a shared computer).
	g.clearCookies(r, jar)
	if ok && g.o.Revocations != nil {
		err := g.o.Revocations.Revoke(r.Context(), s.User, s.ID, time.Unix(0, s.Issued).Add(g.o.SessionTTL))
		if err != nil {
			return g.revocationFailed(r.Context(), err)
		}
		g.revocations.OK(g.o.Logger)
		g.o.Logger.Info("logout", "user", s.User, "everywhere", false, "remote", r.RemoteAddr)
	}
	return redirect(g.ref(r.URL.Path, g.o.BasePath))
}

// logoutEverywhere ends every session of the caller's user, and takes
// back their share links where a list is kept.
func (g *Gate) logoutEverywhere(r *http.Request, jar *cookies) *reply {
	if r.Method != http.MethodPost {
		return methodNotAllowed("log out with a POST", http.MethodPost)
	}
	s, ok := g.session(jar)
	if !ok {
		// Nothing to end everywhere: not logged in, or in by a share link,
		// which may do nothing but read the report.
		g.o.Logger.Info("log out everywhere without a session", "remote", r.RemoteAddr)
		return textReply(http.StatusUnauthorized, "401 Unauthorized: log in to log out everywhere")
	}
	g.clearCookies(r, jar)
	// Only a session that still holds may end the others: not a stolen
	// copy of one already logged out, nor one from before a new password.
	_, why, err := g.checkSession(r.Context(), s, time.Now())
	if err == nil && why != "" {
		return textReply(http.StatusUnauthorized, "401 Unauthorized: this session no longer holds ("+why+"); log in to log out everywhere")
	}
	if err == nil {
		now := time.Now()
		err = g.o.Revocations.RevokeAll(r.Context(), s.User, now, now.Add(g.o.SessionTTL))
	}
	if err == nil && g.o.Shares != nil {
		// After a compromise this is the button people press: a thief's
		// session must not live on as a share link.
		err = g.revokeShares(r.Context(), s.User)
	}
	if err != nil {
		return g.revocationFailed(r.Context(), err)
	}
	g.revocations.OK(g.o.Logger)
	g.o.Logger.Info("logout", "user", s.User, "everywhere", true, "remote", r.RemoteAddr)
	return redirect(g.ref(r.URL.Path, g.o.BasePath))
}

// clearCookies clears the session cookie, and the share cookie if one
// came.
func (g *Gate) clearCookies(r *http.Request, jar *cookies) {
	jar.add(g.cookie(r, "", -1))
	if len(jar.named(shareCookieName)) > 0 {
		jar.add(g.linkCookie(r, shareCookieName, "", -1))
	}
}

// revocationFailed is the answer to a logout the store could not record.
func (g *Gate) revocationFailed(ctx context.Context, err error) *reply {
	g.revocations.Failed(ctx, g.o.Logger, err)
	return unavailable("logged out in this browser, but the session could not be ended everywhere; log out again shortly")
}

// revokeShares takes back every live share link of user.
func (g *Gate) revokeShares(ctx context.Context, user string) error {
	list, err := g.o.Shares.List(ctx, user)
	for _, l := range list {
		if err != nil {
			break
		}
		err = g.o.Shares.Remove(ctx, user, l.ID)
	}
	return err
}

// routeForm reads the form of a POST to one of the gate's own routes
// (what: "share", "token") into r.PostForm, or answers why it cannot
// (400, or 413 past maxFormBytes).
func (g *Gate) routeForm(r *http.Request, what string) *reply {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	err := errors.New("not a form")
	if isForm(r) {
		err = parseLoginForm(r)
	}
	if err == nil {
		return nil
	}
	status := http.StatusBadRequest
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		status = http.StatusRequestEntityTooLarge
	}
	g.o.Logger.Info("bad "+what+" form", "status", status, "remote", r.RemoteAddr)
	return textReply(status, fmt.Sprintf("%d %s: the form could not be read: send it as application/x-www-form-urlencoded or multipart/form-data", status, http.StatusText(status)))
}
