// The gate's decision: who the caller is (the ways in, in the order New
// sets them), then what to answer. reply.go writes what it decided.

package formgate

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/schema"

	"github.com/formgate/formgate/internal/apitoken"
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
	devices   *session.Codec   // device cookies (devices.go)
	links     *sharelink.Codec // share links; nil when they are off
	oldLinks  *sharelink.Codec // the previous secret's, only to say why its links fail
	lifetimes []time.Duration  // the share-link lifetimes offered
	pages     *web.Pages
	challenge string
	blank     web.LoginView // the login form as most requests get it
	loginPage []byte        // blank, rendered once: the most common page
	decoder   *schema.Decoder
	csrf      *http.CrossOriginProtection
	ways      []way
	noAddress sync.Once                         // the warning about requests without a client address
	refs      atomic.Pointer[map[refKey]string] // relative references worked out (paths.go)
	known     remembered
	// bounded: some store may be remote (not one of this package's memory
	// types), so a decision's store calls get a deadline, of deadline.
	bounded  bool
	deadline time.Duration
	// Failures of the stores the gate asks, logged once per outage.
	limits, checks, revocations, shares, tokens *outage.Log
	// Tokens for scripts (tokenway.go), with Options.Tokens.
	tokenWriter    TokenWriter     // nil when the store is read-only
	shown          *apitoken.Shown // seals a token just made for its page; nil without a writer
	tokenLifetimes []time.Duration // the token lifetimes offered
	touched        sync.Map        // token id → when this process last recorded its use
}

// New validates o once, fills in the defaults and returns the gate. The
// error lists every problem, each an *OptionError.
func New(o Options) (*Gate, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	g := &Gate{
		o:         o,
		routes:    strings.TrimSuffix(o.BasePath, "/") + RoutePrefix,
		challenge: `Basic realm="` + o.Realm + `", charset="UTF-8"`,
		decoder:   schema.NewDecoder(),
		// Refuses cross-site POSTs (Sec-Fetch-Site, else Origin vs Host), so
		// another site cannot log a visitor in or out behind their back.
		csrf:        http.NewCrossOriginProtection(),
		limits:      storeOutage("the login limiter"),
		checks:      storeOutage("the credential check"),
		revocations: storeOutage("the session revocation store"),
		shares:      storeOutage("the share-link store"),
		tokens:      storeOutage("the token store"),
	}
	g.decoder.IgnoreUnknownKeys(true) // a submit button's name or a password manager's extra field is not an error
	if err := g.keys(); err != nil {
		return nil, fmt.Errorf("formgate: %w", err)
	}
	if err := g.tokenKeys(); err != nil {
		return nil, fmt.Errorf("formgate: %w", err)
	}
	var err error
	if g.pages, err = web.NewPages(); err != nil {
		return nil, fmt.Errorf("formgate: %w", err)
	}
	g.blank = web.LoginView{Title: cmp.Or(o.LoginTitle, o.Realm), Style: o.LoginCSS}
	var page strings.Builder
	if err := g.pages.Login(&page, g.blank); err != nil {
		return nil, fmt.Errorf("formgate: render the login page: %w", err)
	}
	g.loginPage = []byte(page.String())
	g.ways = g.order()
	g.bounded, g.deadline = remote(o), decisionDeadline
	return g, nil
}

// decisionDeadline bounds the store calls of one decision, and the page
// helpers' reads after it (a table that hangs): a cookie request answers
// within a store call's own timeout, a login within this, plus its
// password check.
const decisionDeadline = 3 * time.Second

// remote reports whether some store of o may be remote: any that is not
// one of this package's in-memory ones. (A Checker is not counted: the
// ones formgate has are in memory; one of an application's own gets the
// deadline's context when a store is remote, and keeps its own timeouts.)
func remote(o Options) bool {
	for _, l := range []Limiter{o.Limiter, o.UserLimiter, o.DeviceLimiter} {
		if _, mem := l.(*MemoryLimiter); !mem {
			return true
		}
	}
	_, memKnown := o.KnownAddresses.(*MemoryKnownAddresses)
	_, memRev := o.Revocations.(*MemoryRevocations)
	_, memShares := o.Shares.(*MemoryShares)
	_, memTokens := o.Tokens.(*MemoryTokens)
	_, fileTokens := o.Tokens.(*FileTokens)
	return !memKnown || (o.Revocations != nil && !memRev) || (o.Shares != nil && !memShares) || (o.Tokens != nil && !memTokens && !fileTokens)
}

// keys derives the session keys and, with share links, the link keys
// from the secrets.
func (g *Gate) keys() (err error) {
	o := g.o
	if g.codec, err = session.NewCodec(o.SessionSecret, o.PreviousSessionSecret, o.BasePath, o.SessionTTL); err != nil {
		return err
	}
	if g.devices, err = session.NewCodec(o.SessionSecret, o.PreviousSessionSecret, deviceScope(o.BasePath), deviceTTL); err != nil || !o.ShareLinks {
		return err
	}
	if g.links, err = sharelink.NewCodec(o.SessionSecret, o.BasePath); err != nil {
		return err
	}
	if len(o.PreviousSessionSecret) > 0 {
		if g.oldLinks, err = sharelink.NewCodec(o.PreviousSessionSecret, o.BasePath); err != nil {
			return err
		}
	}
	g.lifetimes = lifetimes(o.ShareMaxTTL)
	return nil
}

// order is the ways in, asked in turn until one lets the caller in or
// answers.
func (g *Gate) order() []way {
	var ways []way
	if g.o.TrustAuthorizer {
		ways = append(ways, g.byAuthorizer)
	}
	if g.o.Tokens != nil {
		// Before Basic, which would refuse Authorization: Bearer.
		ways = append(ways, g.byToken)
	}
	// The session comes before the login form, so that once logged in, an
	// application's own forms reach it even if they have fields called
	// username and password.
	ways = append(ways, g.byBasic, g.bySession, g.byForm)
	if g.o.ShareLinks {
		// Last: a password, a session or a login wins over a share link.
		ways = append(ways, g.byShare)
	}
	return ways
}

// Protect returns next behind the gate. Requests under BasePath reach next
// only with good credentials, with the Identity in their context and
// without them: no Authorization header, no session cookie, and a form
// login arrives as a GET without its body, so a password never reaches
// next (or its logs). BasePath + RoutePrefix ("/_formgate/…") are the
// gate's own routes. Requests outside BasePath never reach next: they get
// 404, so a path trick cannot get around the gate — route public paths to
// other handlers before the gate.
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
	h["Cache-Control"] = answerNoStore
	h["X-Content-Type-Options"] = answerNoSniff
	h["Referrer-Policy"] = answerNoReferrer
	d := p.g.decideWithin(r)
	p.g.write(sw, r, d, p.next)
	// No headers, no body, no query, no share link's token: no credential
	// can reach the log.
	if log := p.g.o.Logger; log.Enabled(r.Context(), slog.LevelInfo) {
		attrs := []any{"method", r.Method, "path", redact.Path(r.URL.Path), "status", sw.status,
			"ms", float64(time.Since(start).Microseconds()) / 1000, "remote", r.RemoteAddr}
		if d.reply != nil && d.reply.why != "" {
			attrs = append(attrs, "why", d.reply.why)
		}
		log.Info("request", attrs...)
	}
}

// The values of the headers every answer carries, made once: a header's
// values are never changed in place (Set and Del replace them, Add
// appends to a copy), so every answer may share them.
var (
	answerNoStore    = []string{"no-store"}
	answerNoSniff    = []string{"nosniff"}
	answerNoReferrer = []string{"no-referrer"}
)

// decision is the gate's verdict on one request: let the caller in (in)
// or answer in its place (reply); cookies are set either way.
type decision struct {
	in      *caller
	reply   *reply
	cookies cookies
	made    *madeLink // with in: a share link made just before, for the page
	token   *newToken // with in: a token made just before, for the page
	// deadline is the decision's (decideWithin), which the page helpers'
	// store reads keep too; zero for none.
	deadline time.Time
}

// caller is who got in and how.
type caller struct {
	id Identity
	// user is what the Checker said, for a new session or share link;
	// zero for an authorizer's principal and a share link's visitor.
	user User
	// device is the id of the device cookie a password login came with
	// and that kept its standing ("" for none): a form login renews it.
	device string
}

// cookies are the request's cookies, parsed once for every way that
// reads them, and the cookies the answer sets or clears, whatever it is.
type cookies struct {
	sent []*http.Cookie
	set  []*http.Cookie
}

func (c *cookies) add(k *http.Cookie) { c.set = append(c.set, k) }

// named are the request's cookies called name.
func (c *cookies) named(name string) []*http.Cookie {
	var out []*http.Cookie
	for _, k := range c.sent {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// A way is one way in. It lets the caller in (who), decides the answer
// (stop), or, with neither, leaves the request to the next way. It may
// add cookies (to clear a bad one) whatever it returns.
type way func(r *http.Request, jar *cookies) (who *caller, stop *reply)

// decideWithin is decide, within decisionDeadline when a store may be
// remote. The deadline is the decision's alone: the wrapped handler gets
// the request's own context.
func (g *Gate) decideWithin(r *http.Request) decision {
	if !g.bounded {
		return g.decide(r)
	}
	if r.Method == http.MethodPost && isForm(r) && r.Body != nil {
		// A login form is read before the clock starts: a client that
		// drips its body must not run the deadline out before the limiters
		// are asked (a store that times out falls back to a budget of this
		// process's own).
		peekForm(r)
	}
	deadline := time.Now().Add(g.deadline)
	ctx, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()
	dr := r.WithContext(ctx)
	d := g.decide(dr)
	r.Body = dr.Body // a way may have wrapped it (a bounded reader, a login form put back)
	d.deadline = deadline
	return d
}

// decide finds out, in this order: whether the request is one the gate
// looks at, whether it is for the gate's own routes, who the caller is,
// and otherwise how to ask for credentials. It writes nothing.
func (g *Gate) decide(r *http.Request) decision {
	var d decision
	if d.reply = g.screen(r); d.reply != nil {
		return d
	}
	d.cookies.sent = r.Cookies() // once, for every way that reads them
	if strings.HasPrefix(r.URL.Path, g.routes) {
		d.reply = g.ownRoute(r, &d.cookies)
		return d
	}
	for _, way := range g.ways {
		who, stop := way(r, &d.cookies)
		if who != nil {
			d.in, d.made = who, g.takeMade(r, who.id, &d.cookies)
			d.token = g.takeNewToken(r, who.id, &d.cookies)
			return d
		}
		if stop != nil {
			d.reply = stop
			return d
		}
	}
	d.reply = g.askCredentials(r)
	return d
}

// screen refuses what the gate never lets through, whoever asks: paths
// outside the base path, paths with dot segments, cross-site POSTs.
func (g *Gate) screen(r *http.Request) *reply {
	switch {
	case !under(r.URL.Path, g.o.BasePath):
		// Public paths belong in front of the gate; say so to whoever
		// reads the answer or the log.
		rp := notFound("outside the path this gate protects")
		rp.why = "outside the protected path " + g.o.BasePath
		return rp
	case dotSegment(r.URL.Path):
		g.o.Logger.Info("path with dot segments refused", "remote", r.RemoteAddr)
		return textReply(http.StatusBadRequest, "400 Bad Request: the path has . or .. segments")
	}
	if err := g.csrf.Check(r); err != nil {
		g.o.Logger.Warn("cross-origin request refused", "method", r.Method, "path", redact.Path(r.URL.Path), "remote", r.RemoteAddr)
		return textReply(http.StatusForbidden, "cross-origin request refused")
	}
	return nil
}

// askCredentials answers a caller no way let in: a browser gets the login
// form, a script the Basic challenge.
func (g *Gate) askCredentials(r *http.Request) *reply {
	if !wantsHTML(r) {
		return askBasic("authentication required")
	}
	status := http.StatusOK
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status = http.StatusUnauthorized
	}
	rp := loginReply(status, g.loginView(r, "", ""))
	if g.o.PromptBrowsers {
		// The browser shows its prompt; cancelling it shows the form.
		rp.challenge, rp.status = true, http.StatusUnauthorized
	}
	// Otherwise no challenge: where no gateway strips it (local server,
	// ALB) it would pop the browser's prompt over the form.
	return rp
}

// loginView is the login form for r: with the user name typed and an
// error after a failed attempt. A form that answers a request other than
// GET or HEAD (an application's form, posted without a session) posts the
// login to the base path, whose GET exists: after the login the browser
// is sent to the URL it posted to, as a GET, and the application's URL
// may take only POSTs. What was typed into the application's form is not
// replayed.
func (g *Gate) loginView(r *http.Request, username, problem string) web.LoginView {
	v := g.blank
	v.Username, v.Error = username, problem
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Path != g.o.BasePath {
		v.Action = g.ref(r.URL.Path, g.o.BasePath)
	}
	return v
}

// byAuthorizer lets in the principal of a REST API custom authorizer. Only
// the event can carry one (see internal/frontdoor), so no client can forge
// it.
func (g *Gate) byAuthorizer(r *http.Request, _ *cookies) (*caller, *reply) {
	p := frontdoor.From(r.Context()).Principal
	if p == "" {
		return nil, nil
	}
	return &caller{id: Identity{User: p, Via: ViaAuthorizer}}, nil
}

// storeOutage is the outage log of one store the gate asks.
func storeOutage(what string) *outage.Log {
	return &outage.Log{Start: what + " failed; logins and sessions that need it are refused until it is back", End: what + " is back"}
}

// BasePath is the path the gate protects (Options.BasePath after
// defaults).
func (g *Gate) BasePath() string { return g.o.BasePath }
