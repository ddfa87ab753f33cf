// Package handlers holds formgate's plain net/http handlers: the gate that
// asks for credentials, and the built-in CSV report it protects. They know
// nothing of Lambda; the only thing a front door tells them is the public
// path prefix and an authorizer's principal, through package frontdoor.
package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/schema"

	"github.com/formgate/formgate/auth"
	"github.com/formgate/formgate/frontdoor"
	"github.com/formgate/formgate/session"
	"github.com/formgate/formgate/web"
)

// ReportPath is where the report is served, as the function sees it.
const ReportPath = "/report"

// maxFormBytes bounds a login POST body; the form has two short fields.
const maxFormBytes = 16 << 10

// GateOptions configures a Gate.
type GateOptions struct {
	Checker auth.Checker
	Codec   *session.Codec
	Pages   *web.Pages
	Realm   string
	Report  http.Handler // what the gate protects
	Log     *slog.Logger
	// Throttle, if set, limits failed logins per client address.
	Throttle *Throttle
	// ChallengeHeader carries the Basic challenge; "" means
	// WWW-Authenticate.
	ChallengeHeader string
	// PromptBrowsers answers browsers without credentials with 401 and the
	// challenge (the form is the body), for front doors that pass the
	// challenge on (ALB, local, CloudFront with the Lambda@Edge rename).
	PromptBrowsers bool
	// TrustAuthorizer lets in the principal of a REST API custom
	// authorizer, which API Gateway ran before this function.
	TrustAuthorizer bool
}

// Gate protects a report with a login form, a session cookie and Basic
// auth.
type Gate struct {
	GateOptions
	challenge string
	loginPage []byte // the blank login form, rendered once: the most common page
	decoder   *schema.Decoder
	handler   http.Handler
}

// NewGate returns the gate with its routes:
//
//	/report           any method: the report, or a way to log in
//	POST /report/logout
//	GET  /            redirect to report
func NewGate(o GateOptions) (*Gate, error) {
	d := schema.NewDecoder()
	d.IgnoreUnknownKeys(true) // a submit button's name or a password manager's extra field is not an error
	if o.ChallengeHeader == "" {
		o.ChallengeHeader = "WWW-Authenticate"
	}
	var page bytes.Buffer
	if err := o.Pages.Login(&page, web.LoginView{Realm: o.Realm}); err != nil {
		return nil, fmt.Errorf("render login page: %w", err)
	}
	g := &Gate{
		GateOptions: o,
		challenge:   `Basic realm="` + o.Realm + `", charset="UTF-8"`,
		loginPage:   page.Bytes(),
		decoder:     d,
	}
	mux := http.NewServeMux()
	// Refuses cross-site POSTs (Sec-Fetch-Site, else Origin vs Host), so
	// another site cannot log a visitor in or out behind their back.
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.Log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	mux.HandleFunc(ReportPath, g.serveReport)
	mux.HandleFunc("POST "+ReportPath+"/logout", g.logout)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "report") // relative: keeps a stage prefix
		w.WriteHeader(http.StatusSeeOther)
	})
	g.handler = csrf.Handler(mux)
	return g, nil
}

func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Nothing behind a password may be kept by a browser or shared cache.
	w.Header().Set("Cache-Control", "no-store")
	g.handler.ServeHTTP(w, r)
}

// loginForm is the login form's fields, decoded with gorilla/schema.
type loginForm struct {
	Username string `schema:"username"`
	Password string `schema:"password"`
}

func (g *Gate) serveReport(w http.ResponseWriter, r *http.Request) {
	if g.TrustAuthorizer {
		// Only the event can carry a principal (see package frontdoor), so
		// no client can forge one.
		if p := frontdoor.From(r.Context()).Principal; p != "" {
			g.showReport(w, r, Identity{User: p, Via: ViaAuthorizer})
			return
		}
	}
	// Scripts: an Authorization header decides alone, whatever else is sent.
	if r.Header.Get("Authorization") != "" {
		user, pass, ok := auth.ParseBasic(r.Header.Get("Authorization"))
		switch {
		case !ok:
			g.Log.Info("authorization header is not Basic credentials", "remote", r.RemoteAddr)
			g.writeChallenge(w, "the Authorization header must hold Basic credentials")
		case g.throttled(w, r, false):
		case !g.Checker.Check(user, pass):
			g.failed(r, ViaBasic)
			g.writeChallenge(w, "wrong username or password")
		default:
			g.Log.Debug("login", "via", ViaBasic, "remote", r.RemoteAddr)
			g.showReport(w, r, Identity{User: user, Via: ViaBasic})
		}
		return
	}

	if r.Method == http.MethodPost && isForm(r) {
		f, attempted, err := g.decodeLogin(w, r)
		if err != nil {
			status := http.StatusBadRequest
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				status = http.StatusRequestEntityTooLarge
			}
			g.Log.Info("bad login form", "err", err, "remote", r.RemoteAddr)
			http.Error(w, "the login form could not be read: send username and password as application/x-www-form-urlencoded", status)
			return
		}
		if attempted {
			g.formLogin(w, r, f)
			return
		}
	}

	if s, ok := g.readSession(w, r); ok {
		g.showReport(w, r, Identity{User: s.User, Via: ViaSession})
		return
	}

	if wantsHTML(r) {
		status := http.StatusOK
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			status = http.StatusUnauthorized
		}
		if g.PromptBrowsers {
			// The browser shows its prompt; cancelling it shows the form.
			w.Header().Set(g.ChallengeHeader, g.challenge)
			status = http.StatusUnauthorized
		}
		// Otherwise no challenge: where no gateway strips it (local server,
		// ALB) it would pop the browser's prompt over the form.
		g.writeLogin(w, status, web.LoginView{Realm: g.Realm})
		return
	}
	g.writeChallenge(w, "authentication required")
}

// decodeLogin reads the form body. attempted is false when the POST carries
// neither field (not a login attempt; a session may still apply).
func (g *Gate) decodeLogin(w http.ResponseWriter, r *http.Request) (f loginForm, attempted bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return f, false, err
	}
	_, hasUser := r.PostForm["username"]
	_, hasPass := r.PostForm["password"]
	if !hasUser && !hasPass {
		return f, false, nil
	}
	if err := g.decoder.Decode(&f, r.PostForm); err != nil {
		return f, true, err
	}
	return f, true, nil
}

func (g *Gate) formLogin(w http.ResponseWriter, r *http.Request, f loginForm) {
	if g.throttled(w, r, true) {
		return
	}
	if !g.Checker.Check(f.Username, f.Password) {
		g.failed(r, ViaForm)
		// Generic message: it does not say which field was wrong.
		g.writeLogin(w, http.StatusUnauthorized, web.LoginView{Realm: g.Realm, Username: f.Username, Error: "Wrong username or password."})
		return
	}
	value, err := g.Codec.Encode(session.Session{User: f.Username})
	if err != nil {
		g.Log.Error("encode session", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	g.Log.Info("login", "via", ViaForm, "remote", r.RemoteAddr)
	http.SetCookie(w, g.cookie(r, value, int(g.Codec.TTL()/time.Second)))
	if wantsHTML(r) {
		// Post/redirect/get: a reload does not resend the password.
		w.Header().Set("Location", "report") // relative: keeps a stage prefix
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	g.showReport(w, r, Identity{User: f.Username, Via: ViaForm})
}

// throttled answers 429 when the client has used up its failed logins.
func (g *Gate) throttled(w http.ResponseWriter, r *http.Request, form bool) bool {
	if g.Throttle == nil {
		return false
	}
	blocked, wait := g.Throttle.Blocked(clientAddr(r))
	if !blocked {
		return false
	}
	secs := int(math.Ceil(wait.Seconds()))
	g.Log.Warn("login refused: too many failed attempts", "remote", r.RemoteAddr, "retry_after_s", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("Too many failed logins. Try again in %d seconds.", secs)
	if form && wantsHTML(r) {
		g.writeLogin(w, http.StatusTooManyRequests, web.LoginView{Realm: g.Realm, Error: msg})
		return true
	}
	http.Error(w, "429 "+msg, http.StatusTooManyRequests)
	return true
}

func (g *Gate) failed(r *http.Request, via string) {
	g.Log.Info("login failed", "via", via, "remote", r.RemoteAddr)
	if g.Throttle != nil {
		g.Throttle.Failed(clientAddr(r))
	}
}

// readSession returns the session proved by a formgate cookie. Cookies that
// do not prove one (expired, tampered, made with another key) are cleared.
func (g *Gate) readSession(w http.ResponseWriter, r *http.Request) (session.Session, bool) {
	cookies := r.CookiesNamed(session.CookieName)
	for _, c := range cookies {
		if s, err := g.Codec.Decode(c.Value); err == nil {
			return s, true
		} else {
			g.Log.Info("session cookie rejected", "err", err, "remote", r.RemoteAddr)
		}
	}
	if len(cookies) > 0 {
		http.SetCookie(w, g.cookie(r, "", -1))
	}
	return session.Session{}, false
}

func (g *Gate) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, g.cookie(r, "", -1))
	w.Header().Set("Location", "../report") // relative to /report/logout: keeps a stage prefix
	w.WriteHeader(http.StatusSeeOther)
}

// cookie builds the session cookie; maxAge -1 deletes it.
func (g *Gate) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:  session.CookieName,
		Value: value,
		// The public path, stage included, so the browser sends the cookie
		// to the report and its logout and nowhere else.
		Path:     frontdoor.From(r.Context()).Prefix + ReportPath,
		MaxAge:   maxAge,
		HttpOnly: true,                 // no script can read the session
		Secure:   !plainLoopback(r),    // browsers drop Secure cookies on plain http, except loopback use in development
		SameSite: http.SameSiteLaxMode, // sent on top-level navigation to the report, not on cross-site subrequests or POSTs
	}
}

func (g *Gate) showReport(w http.ResponseWriter, r *http.Request, id Identity) {
	g.Report.ServeHTTP(w, r.WithContext(withIdentity(r.Context(), id)))
}

func (g *Gate) writeLogin(w http.ResponseWriter, status int, v web.LoginView) {
	body := g.loginPage
	if v != (web.LoginView{Realm: g.Realm}) {
		var b bytes.Buffer
		if err := g.Pages.Login(&b, v); err != nil {
			g.Log.Error("render login", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		body = b.Bytes()
	}
	setPageHeaders(w.Header())
	w.WriteHeader(status)
	w.Write(body)
}

func (g *Gate) writeChallenge(w http.ResponseWriter, reason string) {
	w.Header().Set(g.ChallengeHeader, g.challenge)
	http.Error(w, "401 Unauthorized: "+reason+". Send Basic credentials (curl -u USER:PASSWORD URL) or open this URL in a browser to log in.", http.StatusUnauthorized)
}

// wantsHTML tells a browser from a script: browsers ask for text/html.
func wantsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(strings.ToLower(v), "text/html") {
			return true
		}
	}
	return false
}

func isForm(r *http.Request) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

// plainLoopback reports a plain-http request to a loopback host: the only
// case where the cookie may go without Secure.
func plainLoopback(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
