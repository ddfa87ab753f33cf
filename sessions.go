// The session cookie of a form login: the way in by it, and whether a
// session still holds.

package formgate

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/formgate/formgate/internal/session"
)

// maxSessionCookies bounds the distinct session cookies of one request
// that are checked (each may cost a store read); a browser sends one.
const maxSessionCookies = 2

// bySession lets in the holder of a valid session cookie (see
// checkSession), renewing it when SessionIdle is on. Cookies that prove
// nothing are cleared in whatever answer follows, and logged once per
// request however many came.
func (g *Gate) bySession(r *http.Request, jar *cookies) (*caller, *reply) {
	cookies := jar.named(session.CookieName)
	if len(cookies) == 0 {
		return nil, nil
	}
	now := time.Now()
	s, u, why, err := g.firstValid(r.Context(), cookies, now)
	switch {
	case err != nil:
		// Whether a cookie still holds cannot be known: refused, never let
		// in on a guess; Basic still works.
		return nil, unavailable(loginDown)
	case why != "":
		g.o.Logger.Info("session cookie rejected", "why", why, "cookies", len(cookies), "remote", r.RemoteAddr)
		jar.add(g.cookie(r, "", -1))
		return nil, nil
	case loginPost(r):
		// The gate's own login form, sent again (another tab, the back
		// button): a login, never passed on with its password.
		return nil, nil
	}
	g.renew(r, s, now, jar)
	return &caller{id: Identity{User: u.Name, Via: ViaSession}, user: u}, nil
}

// firstValid is the first of cookies whose session holds, with its user;
// else why the last one did not, or err when that cannot be known.
func (g *Gate) firstValid(ctx context.Context, cookies []*http.Cookie, now time.Time) (s session.Session, u User, why string, err error) {
	seen := map[string]bool{}
	for _, c := range cookies {
		if seen[c.Value] || len(seen) == maxSessionCookies {
			continue // each store read once, however many copies came
		}
		seen[c.Value] = true
		if s, err = g.codec.Decode(c.Value); err != nil {
			why = "unreadable, expired or made with another key"
			continue
		}
		var bad string
		if u, bad, err = g.checkSession(ctx, s, now); err != nil || bad == "" {
			return s, u, "", err
		}
		why = bad
	}
	return session.Session{}, User{}, why, nil
}

// renew restarts the idle clock of s, at most once a minute (a
// Set-Cookie on every request would be waste).
func (g *Gate) renew(r *http.Request, s session.Session, now time.Time, jar *cookies) {
	if g.o.SessionIdle == 0 || now.Sub(time.Unix(0, s.Seen)) < time.Minute {
		return
	}
	s.Seen = now.UnixNano()
	if value, err := g.codec.Encode(s); err == nil {
		left := time.Unix(0, s.Issued).Add(g.o.SessionTTL).Sub(now)
		jar.add(g.cookie(r, value, int(left/time.Second)))
	}
}

// checkSession says why a decoded session no longer holds ("" when it
// does), or err when that cannot be known (a store is down): its user
// must still exist with the same credential, it must be within its
// lifetimes, and not revoked.
func (g *Gate) checkSession(ctx context.Context, s session.Session, now time.Time) (User, string, error) {
	u, ok, err := g.o.Checker.Lookup(ctx, s.User)
	switch {
	case err != nil:
		g.checks.Failed(ctx, g.o.Logger, err)
		return User{}, "", err
	case !ok:
		return User{}, "the user no longer exists", nil
	case subtle.ConstantTimeCompare([]byte(u.Stamp), []byte(s.Stamp)) != 1:
		return User{}, "the user's password changed", nil
	case now.Sub(time.Unix(0, s.Issued)) > g.o.SessionTTL:
		return User{}, "expired", nil
	case g.o.SessionIdle > 0 && now.Sub(time.Unix(0, s.Seen)) > g.o.SessionIdle:
		return User{}, "idle too long", nil
	}
	if g.o.Revocations != nil {
		gone, err := g.o.Revocations.Revoked(ctx, s.User, s.ID, time.Unix(0, s.Issued))
		if err != nil {
			g.revocations.Failed(ctx, g.o.Logger, err)
			return User{}, "", err
		}
		g.revocations.OK(g.o.Logger)
		if gone {
			return User{}, "logged out", nil
		}
	}
	return u, "", nil
}

// session is the first session cookie sent that decodes, for logout (no
// other checks: ending a session that is no longer valid does no harm).
func (g *Gate) session(jar *cookies) (session.Session, bool) {
	for _, c := range jar.named(session.CookieName) {
		if s, err := g.codec.Decode(c.Value); err == nil {
			return s, true
		}
	}
	return session.Session{}, false
}
