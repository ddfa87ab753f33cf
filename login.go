// Logging in with a password: Basic credentials on any request, or the
// login form's POST; both within the failed-login limits.

package formgate

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/formgate/formgate/internal/basic"
	"github.com/formgate/formgate/internal/session"
)

// byBasic: an Authorization header decides alone, whatever else is sent.
func (g *Gate) byBasic(r *http.Request, jar *cookies) (*caller, *reply) {
	h := authorization(r)
	if h == "" {
		return nil, nil
	}
	user, pass, ok := basic.Parse(h)
	if !ok {
		g.o.Logger.Info("authorization header is not Basic credentials", "remote", r.RemoteAddr)
		return nil, askBasic("the Authorization header must hold Basic credentials")
	}
	who, stop := g.login(r, jar, ViaBasic, user, pass)
	if who != nil {
		g.o.Logger.Debug("login", "via", ViaBasic, "user", who.id.User, "remote", r.RemoteAddr) // scripts: every request
	}
	return who, stop
}

// loginForm is the login form's fields, decoded with gorilla/schema.
type loginForm struct {
	Username string `schema:"username"`
	Password string `schema:"password"`
}

// byForm logs in with the form's username and password, and starts a
// session. A POST with neither field is not a login attempt.
func (g *Gate) byForm(r *http.Request, jar *cookies) (*caller, *reply) {
	if r.Method != http.MethodPost || !isForm(r) {
		return nil, nil
	}
	f, found, stop := g.readLoginForm(r)
	if !found || stop != nil {
		return nil, stop
	}
	who, stop := g.login(r, jar, ViaForm, f.Username, f.Password)
	if who == nil {
		return nil, stop
	}
	value, err := g.codec.Encode(session.New(who.user.Name, who.user.Stamp, time.Now()))
	if err != nil {
		g.o.Logger.Error("encode session", "err", err)
		return nil, textReply(http.StatusInternalServerError, "internal error")
	}
	jar.add(g.cookie(r, value, int(g.o.SessionTTL/time.Second)))
	if c := g.deviceCookie(r, who.user, who.device); c != nil {
		jar.add(c) // this browser has logged in: its own login budget from now on
	}
	g.o.Logger.Info("login", "via", ViaForm, "user", who.user.Name, "remote", r.RemoteAddr)
	switch {
	case wantsHTML(r):
		// Post/redirect/get: a reload does not resend the password. The
		// form posted here only if this URL's GET showed it, or this is
		// the base path (loginView).
		return nil, redirect(sameURL(r))
	case r.URL.Path != g.o.BasePath:
		// A script's form login below the base path: the URL may take only
		// POSTs, so the answer is the base path's (curl -L follows it with
		// the cookie).
		return nil, redirect(g.ref(r.URL.Path, g.o.BasePath))
	}
	return who, nil // a script's form login at the base path gets the page straight away
}

// readLoginForm reads the form's fields; found is false for a form with
// neither username nor password (not a login), stop a form that cannot
// be read (400, 413).
func (g *Gate) readLoginForm(r *http.Request) (f loginForm, found bool, stop *reply) {
	const unreadable = "the login form could not be read: send username and password as application/x-www-form-urlencoded or multipart/form-data"
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := parseLoginForm(r); err != nil {
		// The parser's error may quote the body, a password: say only what
		// kind of problem it was.
		status, problem := http.StatusBadRequest, "malformed"
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, problem = http.StatusRequestEntityTooLarge, "too large"
		}
		g.o.Logger.Info("bad login form", "problem", problem, "remote", r.RemoteAddr)
		return f, true, textReply(status, unreadable)
	}
	_, hasUser := r.PostForm["username"]
	_, hasPass := r.PostForm["password"]
	if !hasUser && !hasPass {
		return f, false, nil
	}
	if err := g.decoder.Decode(&f, r.PostForm); err != nil {
		g.o.Logger.Info("bad login form", "problem", "fields", "remote", r.RemoteAddr)
		return f, true, textReply(http.StatusBadRequest, unreadable)
	}
	return f, true, nil
}

// login checks a user name and password from Basic or the form, within
// the limits of failed logins: it spends an attempt (spend), checks, and
// settles the attempt. A success is remembered for the client's address
// (KnownAddresses).
func (g *Gate) login(r *http.Request, jar *cookies, via Via, user, pass string) (*caller, *reply) {
	a, stop := g.spend(r, jar, via, user)
	if a.lost {
		jar.add(g.clearDevice(r)) // the device failed too often: it loses its standing
	}
	if stop != nil {
		return nil, stop
	}
	u, ok, err := g.check(r.Context(), a, user, pass)
	if err != nil {
		g.checks.Failed(r.Context(), g.o.Logger, err)
		return nil, unavailable(loginDown)
	}
	g.checks.OK(g.o.Logger)
	if !ok {
		g.o.Logger.Info("login failed", "via", via, "user", g.knownName(r.Context(), user), "device", a.device != "", "remote", r.RemoteAddr)
		if via == ViaForm && wantsHTML(r) {
			// Generic message: it does not say which field was wrong.
			return nil, loginReply(http.StatusUnauthorized, g.loginView(r, user, "Wrong username or password."))
		}
		// A script gets the challenge, whichever way it sent them.
		return nil, askBasic("wrong username or password")
	}
	g.rememberAddress(r.Context(), u.Name, a.addr)
	return &caller{id: Identity{User: u.Name, Via: via}, user: u, device: a.device}, nil
}

// attempt is a login attempt and the budgets it was spent from: its
// client address's (addr, "" when the front door gave none) always; then
// its device's (device, a valid device cookie for the typed user), or else
// the user name's (name) unless the address is known for the user
// (known).
type attempt struct {
	addr, name, device string
	known              bool
	lost               bool // the device's budget was spent: it lost its standing
}

// spend takes the attempt from its budgets, each in one step, or answers
// 429 (503 when a limiter fails).
func (g *Gate) spend(r *http.Request, jar *cookies, via Via, user string) (attempt, *reply) {
	ctx, a := r.Context(), attempt{addr: clientKey(r), name: userKey(user)}
	if a.addr == "" {
		// No client address (an ALB that does not append X-Forwarded-For):
		// a key shared by every client would let one lock out all, so only
		// the user name's budget applies.
		g.noAddress.Do(func() {
			g.o.Logger.Warn("requests come without a client address: only the per-user login limit applies")
		})
	} else if wait, err := g.o.Limiter.Spend(ctx, a.addr); err != nil || wait > 0 {
		// The address first: a blocked address never holds a slot of the
		// user's budget, so flooding from it cannot lock the user out.
		return a, g.refused(r, via, "address", wait, err)
	}
	if dev := g.device(r, jar, user); dev != "" {
		wait, err := g.o.DeviceLimiter.Spend(ctx, "device:"+dev)
		if err != nil {
			g.unspend(ctx, a)
			return a, g.refused(r, via, "device", 0, err)
		}
		if wait == 0 {
			// A device that logged in before spends its own budget: guesses
			// at the user name elsewhere do not hold it back.
			a.device = dev
			g.limits.OK(g.o.Logger)
			return a, nil
		}
		a.lost = true
		g.o.Logger.Info("device lost its standing: too many failed logins", "user", g.knownName(ctx, user), "remote", r.RemoteAddr)
	}
	wait, err := g.o.UserLimiter.Spend(ctx, a.name)
	if err == nil && wait > 0 && a.addr != "" {
		// The user's budget is spent (someone guesses at the name): an
		// address the user logged in from is not held back by it.
		if known, kerr := g.o.KnownAddresses.Known(ctx, user, a.addr); kerr == nil && known {
			a.known = true
			g.limits.OK(g.o.Logger)
			return a, nil
		} else if kerr != nil {
			g.limits.Failed(ctx, g.o.Logger, kerr)
		}
	}
	if err != nil || wait > 0 {
		g.unspend(ctx, a)
		return a, g.refused(r, via, "user name "+g.knownName(ctx, user), wait, err)
	}
	g.limits.OK(g.o.Logger)
	return a, nil
}

// unspend gives back the address's attempt of an attempt not made.
func (g *Gate) unspend(ctx context.Context, a attempt) {
	if a.addr != "" {
		g.settle(ctx, g.o.Limiter, a.addr, false)
	}
}

// check asks the Checker, then settles the attempt: a wrong password
// keeps it spent; a right one, or a check that could not be made (or
// panicked), gives it back — that is not the client's failure.
func (g *Gate) check(ctx context.Context, a attempt, user, pass string) (u User, ok bool, err error) {
	failed := false
	defer func() {
		switch {
		case a.device != "":
			g.settle(ctx, g.o.DeviceLimiter, "device:"+a.device, failed)
		case !a.known:
			g.settle(ctx, g.o.UserLimiter, a.name, failed)
		}
		if a.addr != "" {
			g.settle(ctx, g.o.Limiter, a.addr, failed)
		}
	}()
	u, ok, err = g.o.Checker.Check(ctx, user, pass)
	failed = err == nil && !ok
	return u, ok, err
}

// rememberAddress notes that user logged in from addr, at most once a day
// per instance; a store that fails only loses the note.
func (g *Gate) rememberAddress(ctx context.Context, user, addr string) {
	now := time.Now()
	if addr == "" || !g.known.due(user, addr, now) {
		return
	}
	if err := g.o.KnownAddresses.Remember(ctx, user, addr, now.Add(KnownFor)); err != nil {
		g.limits.Failed(ctx, g.o.Logger, err)
	}
}

// knownName is the typed user name for the log when it is a user's, and
// "(unknown)" when not: people type passwords into that field, and those
// must not reach the log.
func (g *Gate) knownName(ctx context.Context, name string) string {
	if _, ok, err := g.o.Checker.Lookup(ctx, name); ok && err == nil {
		return name
	}
	return "(unknown)"
}

// settle ends an attempt with the limiter, logging a failure of its own.
func (g *Gate) settle(ctx context.Context, l Limiter, key string, failed bool) {
	if err := l.Settle(ctx, key, failed); err != nil {
		g.limits.Failed(ctx, g.o.Logger, err)
	}
}

// refused answers a login the limiter did not let through: 429, or 503
// when the limiter itself failed.
func (g *Gate) refused(r *http.Request, via Via, per string, wait time.Duration, err error) *reply {
	if err != nil {
		g.limits.Failed(r.Context(), g.o.Logger, err)
		return unavailable(loginDown)
	}
	g.o.Logger.Warn("login refused: too many failed attempts", "per", per, "via", via, "remote", r.RemoteAddr, "retry_after_s", seconds(wait))
	rp := tooMany(wait)
	if via == ViaForm && wantsHTML(r) {
		v := g.loginView(r, "", tooManyMessage(wait))
		rp.login = &v
	}
	return rp
}
