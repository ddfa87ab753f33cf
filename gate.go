// The gate's decision: who the caller is (the ways in, in the order New
// sets), then what to answer; answer.go writes it.

package formgate

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/schema"

	"github.com/formgate/formgate/internal/basic"
	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/outage"
	"github.com/formgate/formgate/internal/redact"
	"github.com/formgate/formgate/internal/session"
	"github.com/formgate/formgate/internal/sharelink"
	"github.com/formgate/formgate/web"
)

// maxFormBytes bounds a login POST body; the form has two short fields.
const maxFormBytes = 16 << 10

// Gate asks for credentials in front of the handlers it protects. Make it
// with New; it is safe for concurrent use, and one Gate may protect several
// handlers (they share its sessions and its limiter).
type Gate struct {
	o         Options
	routes    string // BasePath + RoutePrefix without a doubled slash
	codec     *session.Codec
	links     *sharelink.Codec // share links; nil when they are off
	oldLinks  *sharelink.Codec // the previous secret's, only to say why its links fail
	lifetimes []time.Duration  // the share-link lifetimes offered
	pages     *web.Pages
	challenge string
	loginPage []byte // the blank login form, rendered once: the most common page
	decoder   *schema.Decoder
	csrf      *http.CrossOriginProtection
	ways      []way
	noAddress sync.Once // the warning about requests without a client address
	// Failures of the stores the gate asks, logged once per outage.
	limits, checks, revocations, shares *outage.Log
}

// New validates o once, fills in the defaults and returns the gate. The
// error lists every problem, each an *OptionError.
func New(o Options) (*Gate, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	codec, err := session.NewCodec(o.SessionSecret, o.PreviousSessionSecret, o.SessionTTL)
	if err != nil {
		return nil, err
	}
	pages, err := web.NewPages()
	if err != nil {
		return nil, err
	}
	d := schema.NewDecoder()
	d.IgnoreUnknownKeys(true) // a submit button's name or a password manager's extra field is not an error
	g := &Gate{
		o:         o,
		routes:    strings.TrimSuffix(o.BasePath, "/") + RoutePrefix,
		codec:     codec,
		pages:     pages,
		challenge: `Basic realm="` + o.Realm + `", charset="UTF-8"`,
		decoder:   d,
		// Refuses cross-site POSTs (Sec-Fetch-Site, else Origin vs Host), so
		// another site cannot log a visitor in or out behind their back.
		csrf: http.NewCrossOriginProtection(),
	}
	g.limits = storeOutage("the login limiter")
	g.checks = storeOutage("the credential check")
	g.revocations = storeOutage("the session revocation store")
	g.shares = storeOutage("the share-link store")
	if o.ShareLinks {
		if g.links, err = sharelink.NewCodec(o.SessionSecret, o.BasePath); err != nil {
			return nil, err
		}
		if len(o.PreviousSessionSecret) > 0 {
			if g.oldLinks, err = sharelink.NewCodec(o.PreviousSessionSecret, o.BasePath); err != nil {
				return nil, err
			}
		}
		g.lifetimes = lifetimes(o.ShareMaxTTL)
	}
	var page strings.Builder
	if err := pages.Login(&page, web.LoginView{Realm: o.Realm}); err != nil {
		return nil, fmt.Errorf("render login page: %w", err)
	}
	g.loginPage = []byte(page.String())
	if o.TrustAuthorizer {
		g.ways = append(g.ways, g.byAuthorizer)
	}
	// The session comes before the login form, so that once logged in, an
	// application's own forms reach it even if they have fields called
	// username and password.
	g.ways = append(g.ways, g.byBasic, g.bySession, g.byForm)
	if o.ShareLinks {
		// Last: a password, a session or a login wins over a share link.
		g.ways = append(g.ways, g.byShare)
	}
	return g, nil
}

// Protect returns next behind the gate. Requests under BasePath reach next
// only with good credentials, with the Identity in their context and
// without them: no Authorization header, no session cookie, and a form
// login arrives as a GET without its body, so a password never reaches
// next (or its logs). BasePath + "/_formgate/…" are the gate's own routes.
// Requests outside BasePath never reach next: they get 404, so a path
// trick cannot get around the gate — route public paths to other handlers
// before the gate.
func (g *Gate) Protect(next http.Handler) http.Handler {
	return &protected{g: g, next: next}
}

type protected struct {
	g    *Gate
	next http.Handler
}

func (p *protected) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h := w.Header()
	// Nothing behind a password may be kept by a browser or a shared
	// cache, no answer may be sniffed into another content type, and no
	// URL (a share link's) may leave in a Referer.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	a := p.g.decide(r)
	p.g.write(sw, r, a, p.next)
	// No headers, no body, no query, no share link's token: no credential
	// can reach the log.
	if log := p.g.o.Logger; log.Enabled(r.Context(), slog.LevelInfo) {
		log.Info("request", "method", r.Method, "path", redact.Path(r.URL.Path), "status", sw.status,
			"ms", float64(time.Since(start).Microseconds())/1000, "remote", r.RemoteAddr)
	}
}

// decide finds out who the caller is and what to answer. It writes
// nothing: write does.
func (g *Gate) decide(r *http.Request) answer {
	if !under(r.URL.Path, g.o.BasePath) {
		return answer{status: http.StatusNotFound, text: "404 page not found"}
	}
	if dotSegment(r.URL.Path) {
		g.o.Logger.Info("path with dot segments refused", "remote", r.RemoteAddr)
		return answer{status: http.StatusBadRequest, text: "400 Bad Request: the path has . or .. segments"}
	}
	if err := g.csrf.Check(r); err != nil {
		g.o.Logger.Warn("cross-origin request refused", "method", r.Method, "path", redact.Path(r.URL.Path), "remote", r.RemoteAddr)
		return answer{status: http.StatusForbidden, text: "cross-origin request refused"}
	}
	if strings.HasPrefix(r.URL.Path, g.routes) {
		return g.ownRoute(r)
	}
	var a answer
	for _, way := range g.ways {
		switch way(r, &a) {
		case in:
			a.pass = true
			g.takeMade(r, &a)
			return a
		case answered:
			return a
		}
	}
	// No way applied: ask for credentials.
	if wantsHTML(r) {
		status := http.StatusOK
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			status = http.StatusUnauthorized
		}
		if g.o.PromptBrowsers {
			// The browser shows its prompt; cancelling it shows the form.
			a.challenge, status = true, http.StatusUnauthorized
		}
		// Otherwise no challenge: where no gateway strips it (local server,
		// ALB) it would pop the browser's prompt over the form.
		a.loginForm(status, web.LoginView{Realm: g.o.Realm})
		return a
	}
	a.askBasic("authentication required")
	return a
}

// outcome is what a way in makes of a request.
type outcome int

const (
	none     outcome = iota // the way does not apply: ask the next
	in                      // the caller proved who they are: a.id
	answered                // the way decided the answer: a holds it
)

// A way is one way in. It may note side effects in a (a cookie to clear)
// whatever it returns.
type way func(r *http.Request, a *answer) outcome

// byAuthorizer lets in the principal of a REST API custom authorizer. Only
// the event can carry one (see internal/frontdoor), so no client can forge
// it.
func (g *Gate) byAuthorizer(r *http.Request, a *answer) outcome {
	p := frontdoor.From(r.Context()).Principal
	if p == "" {
		return none
	}
	a.id = Identity{User: p, Via: ViaAuthorizer}
	return in
}

// byBasic: an Authorization header decides alone, whatever else is sent.
func (g *Gate) byBasic(r *http.Request, a *answer) outcome {
	h := authorization(r)
	if h == "" {
		return none
	}
	user, pass, ok := basic.Parse(h)
	if !ok {
		g.o.Logger.Info("authorization header is not Basic credentials", "remote", r.RemoteAddr)
		a.askBasic("the Authorization header must hold Basic credentials")
		return answered
	}
	return g.login(r, a, ViaBasic, user, pass)
}

// bySession lets in the holder of a valid session cookie: readable with
// the session keys, within SessionTTL of the login (and SessionIdle of the
// last request, when set), and made for the user's current credential.
// Cookies that prove nothing are cleared in whatever answer follows, and
// logged once per request however many came.
func (g *Gate) bySession(r *http.Request, a *answer) outcome {
	cookies := r.CookiesNamed(session.CookieName)
	if len(cookies) == 0 {
		return none
	}
	now := time.Now()
	why := ""
	seen := map[string]bool{}
	for _, c := range cookies {
		if seen[c.Value] || len(seen) == maxSessionCookies {
			continue // each store read once, however many copies came
		}
		seen[c.Value] = true
		s, err := g.codec.Decode(c.Value)
		if err != nil {
			why = "unreadable, expired or made with another key"
			continue
		}
		u, why2, err := g.checkSession(r.Context(), s, now)
		if err != nil {
			// Whether this cookie still holds cannot be known: refused,
			// never let in on a guess; Basic still works.
			a.unavailable(loginDown)
			return answered
		}
		if why2 != "" {
			why = why2
			continue
		}
		if loginPost(r) {
			// The gate's own login form, sent again (another tab, the
			// back button): a login, never passed on with its password.
			return none
		}
		if g.o.SessionIdle > 0 && now.Sub(time.Unix(0, s.Seen)) >= time.Minute {
			// Renewed at most once a minute: the idle clock restarts.
			s.Seen = now.UnixNano()
			if value, err := g.codec.Encode(s); err == nil {
				left := time.Unix(0, s.Issued).Add(g.o.SessionTTL).Sub(now)
				a.setCookie(g.cookie(r, value, int(left/time.Second)))
			}
		}
		a.id, a.user = Identity{User: u.Name, Via: ViaSession}, u
		return in
	}
	g.o.Logger.Info("session cookie rejected", "why", why, "cookies", len(cookies), "remote", r.RemoteAddr)
	a.setCookie(g.cookie(r, "", -1))
	return none
}

// maxSessionCookies bounds the distinct session cookies of one request
// that are checked (each may cost a store read); a browser sends one.
const maxSessionCookies = 2

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

// loginForm is the login form's fields, decoded with gorilla/schema.
type loginForm struct {
	Username string `schema:"username"`
	Password string `schema:"password"`
}

// byForm logs in with the form's username and password. A POST with
// neither field is not a login attempt.
func (g *Gate) byForm(r *http.Request, a *answer) outcome {
	if r.Method != http.MethodPost || !isForm(r) {
		return none
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := parseLoginForm(r); err != nil {
		// The parser's error may quote the body, a password: say only what
		// kind of problem it was.
		status, problem := http.StatusBadRequest, "malformed"
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status, problem = http.StatusRequestEntityTooLarge, "too large"
		}
		g.o.Logger.Info("bad login form", "problem", problem, "remote", r.RemoteAddr)
		a.status, a.text = status, "the login form could not be read: send username and password as application/x-www-form-urlencoded or multipart/form-data"
		return answered
	}
	_, hasUser := r.PostForm["username"]
	_, hasPass := r.PostForm["password"]
	if !hasUser && !hasPass {
		return none
	}
	var f loginForm
	if err := g.decoder.Decode(&f, r.PostForm); err != nil {
		g.o.Logger.Info("bad login form", "problem", "fields", "remote", r.RemoteAddr)
		a.status, a.text = http.StatusBadRequest, "the login form could not be read: send username and password as application/x-www-form-urlencoded or multipart/form-data"
		return answered
	}
	if o := g.login(r, a, ViaForm, f.Username, f.Password); o != in {
		return o
	}
	value, err := g.codec.Encode(session.New(a.user.Name, a.user.Stamp, time.Now()))
	if err != nil {
		g.o.Logger.Error("encode session", "err", err)
		a.status, a.text = http.StatusInternalServerError, "internal error"
		return answered
	}
	a.setCookie(g.cookie(r, value, int(g.o.SessionTTL/time.Second)))
	g.o.Logger.Info("login", "via", ViaForm, "user", a.user.Name, "remote", r.RemoteAddr)
	if wantsHTML(r) {
		// Post/redirect/get: a reload does not resend the password.
		a.redirect(sameURL(r))
		return answered
	}
	return in // a script gets the page straight away
}

// login checks credentials from Basic or the form, within the limits of
// failed logins per client address and per user name. Both budgets are
// spent before the check, in one step each, and given back when it
// succeeds.
func (g *Gate) login(r *http.Request, a *answer, via Via, user, pass string) outcome {
	ctx, addr, name := r.Context(), clientKey(r), userKey(user)
	if addr == "" {
		// No client address (an ALB that does not append X-Forwarded-For):
		// a key shared by every client would let one lock out all, so only
		// the user name's budget applies.
		g.noAddress.Do(func() {
			g.o.Logger.Warn("requests come without a client address: only the per-user login limit applies")
		})
	} else if wait, err := g.o.Limiter.Spend(ctx, addr); err != nil || wait > 0 {
		// The address first: a blocked address never holds a slot of the
		// user's budget, so flooding from it cannot lock the user out.
		return g.refused(r, a, via, "address", wait, err)
	}
	if wait, err := g.o.UserLimiter.Spend(ctx, name); err != nil || wait > 0 {
		if addr != "" {
			g.settle(ctx, g.o.Limiter, addr, false) // this attempt was not made
		}
		return g.refused(r, a, via, "user name "+g.knownName(ctx, user), wait, err)
	}
	var u User
	var ok bool
	var err error
	checked := false
	defer func() {
		// Whatever happens (even a panic in the Checker), the attempts end.
		// A check that could not be made is not the client's failure.
		failed := checked && err == nil && !ok
		g.settle(ctx, g.o.UserLimiter, name, failed)
		if addr != "" {
			g.settle(ctx, g.o.Limiter, addr, failed)
		}
	}()
	g.limits.OK(g.o.Logger)
	u, ok, err = g.o.Checker.Check(ctx, user, pass)
	checked = true
	if err != nil {
		g.checks.Failed(ctx, g.o.Logger, err)
		a.unavailable(loginDown)
		return answered
	}
	g.checks.OK(g.o.Logger)
	if !ok {
		g.o.Logger.Info("login failed", "via", via, "user", g.knownName(ctx, user), "remote", r.RemoteAddr)
		if via == ViaForm && wantsHTML(r) {
			// Generic message: it does not say which field was wrong.
			a.loginForm(http.StatusUnauthorized, web.LoginView{Realm: g.o.Realm, Username: user, Error: "Wrong username or password."})
		} else {
			// A script gets the challenge, whichever way it sent them.
			a.askBasic("wrong username or password")
		}
		return answered
	}
	a.id, a.user = Identity{User: u.Name, Via: via}, u
	if via == ViaBasic {
		g.o.Logger.Debug("login", "via", via, "user", u.Name, "remote", r.RemoteAddr) // scripts: every request
	}
	return in
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
func (g *Gate) refused(r *http.Request, a *answer, via Via, per string, wait time.Duration, err error) outcome {
	if err != nil {
		g.limits.Failed(r.Context(), g.o.Logger, err)
		a.unavailable(loginDown)
		return answered
	}
	g.o.Logger.Warn("login refused: too many failed attempts", "per", per, "via", via, "remote", r.RemoteAddr, "retry_after_s", seconds(wait))
	a.tooMany(wait, via == ViaForm && wantsHTML(r), g.o.Realm)
	return answered
}

// ownRoute answers the gate's own routes: logout, with Revocations "log
// out everywhere", and with ShareLinks the share routes (share.go).
// Logouts are POSTs: a GET could be triggered by any link or image on
// another page.
func (g *Gate) ownRoute(r *http.Request) answer {
	if g.links != nil && (r.URL.Path == g.routes+"share" || strings.HasPrefix(r.URL.Path, g.routes+"share/")) {
		return g.shareRoute(r)
	}
	var a answer
	everywhere := r.URL.Path == g.routes+"logout-everywhere" && g.o.Revocations != nil
	if r.URL.Path != g.routes+"logout" && !everywhere {
		a.status, a.text = http.StatusNotFound, "404 page not found"
		return a
	}
	if r.Method != http.MethodPost {
		a.status, a.text, a.allow = http.StatusMethodNotAllowed, "log out with a POST", http.MethodPost
		return a
	}
	s, ok := g.session(r)
	if everywhere && !ok {
		// Nothing to end everywhere: not logged in, or in by a share link,
		// which may do nothing but read the report.
		g.o.Logger.Info("log out everywhere without a session", "remote", r.RemoteAddr)
		a.status, a.text = http.StatusUnauthorized, "401 Unauthorized: log in to log out everywhere"
		return a
	}
	// The browser's cookies go in every case, even when the session
	// could not be ended in the store (a shared computer).
	a.setCookie(g.cookie(r, "", -1))
	if len(r.CookiesNamed(shareCookieName)) > 0 {
		a.setCookie(g.linkCookie(r, shareCookieName, "", -1))
	}
	if ok && g.o.Revocations != nil {
		var err error
		if everywhere {
			// Only a session that still holds may end the others: not a
			// stolen copy of one already logged out, nor one from before
			// a new password.
			var why string
			if _, why, err = g.checkSession(r.Context(), s, time.Now()); err == nil && why != "" {
				a.status, a.text = http.StatusUnauthorized, "401 Unauthorized: this session no longer holds ("+why+"); log in to log out everywhere"
				return a
			}
			if err == nil {
				now := time.Now()
				err = g.o.Revocations.RevokeAll(r.Context(), s.User, now, now.Add(g.o.SessionTTL))
			}
			if err == nil && g.o.Shares != nil {
				// After a compromise this is the button people press: a
				// thief's session must not live on as a share link.
				err = g.revokeShares(r.Context(), s.User)
			}
		} else {
			err = g.o.Revocations.Revoke(r.Context(), s.User, s.ID, time.Unix(0, s.Issued).Add(g.o.SessionTTL))
		}
		if err != nil {
			g.revocations.Failed(r.Context(), g.o.Logger, err)
			a.unavailable("logged out in this browser, but the session could not be ended everywhere; log out again shortly")
			return a
		}
		g.revocations.OK(g.o.Logger)
		g.o.Logger.Info("logout", "user", s.User, "everywhere", everywhere, "remote", r.RemoteAddr)
	}
	a.redirect(relativeRef(r.URL.Path, g.o.BasePath))
	return a
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

// session is the first session cookie of r that decodes, for logout (no
// other checks: ending a session that is no longer valid does no harm).
func (g *Gate) session(r *http.Request) (session.Session, bool) {
	for _, c := range r.CookiesNamed(session.CookieName) {
		if s, err := g.codec.Decode(c.Value); err == nil {
			return s, true
		}
	}
	return session.Session{}, false
}

// storeOutage is the outage log of one store the gate asks.
func storeOutage(what string) *outage.Log {
	return &outage.Log{Start: what + " failed; logins and sessions that need it are refused until it is back", End: what + " is back"}
}

// BasePath is the path the gate protects (Options.BasePath after
// defaults).
func (g *Gate) BasePath() string { return g.o.BasePath }
