package formgate

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/formgate/formgate/internal/session"
	"github.com/formgate/formgate/web"
)

// answer is what the gate decided to answer; write writes it. Either pass
// (the wrapped handler answers, as id) or the gate's own answer: status
// and a body — the login form, or plain text.
type answer struct {
	pass bool
	id   Identity
	user User // what the Checker said, for a new session

	status    int
	login     *web.LoginView // the login form is the body
	text      string         // else this text is the body
	challenge bool           // send the Basic challenge
	location  string
	retry     time.Duration
	allow     string
	notice    *web.NoticeView // a page that says one thing (browsers; scripts get text)
	cookies   []*http.Cookie  // cookies to set or clear, in any answer
	made      *madeLink       // a share link made just before, for the page
}

// setCookie adds a cookie to set or clear, whatever the answer.
func (a *answer) setCookie(c *http.Cookie) { a.cookies = append(a.cookies, c) }

func (a *answer) loginForm(status int, v web.LoginView) {
	a.status, a.login = status, &v
}

// askBasic is the 401 a script gets: the challenge, and a body that says
// what to do, for a person reading it in a terminal.
func (a *answer) askBasic(reason string) {
	a.status, a.challenge = http.StatusUnauthorized, true
	a.text = "401 Unauthorized: " + reason + ". Send Basic credentials (curl -u USER:PASSWORD URL) or open this URL in a browser to log in."
}

func (a *answer) tooMany(wait time.Duration, form bool, realm string) {
	a.status, a.retry = http.StatusTooManyRequests, wait
	n := seconds(wait)
	unit := " seconds."
	if n == 1 {
		unit = " second."
	}
	msg := "Too many failed logins. Try again in " + strconv.Itoa(n) + unit
	if form {
		a.login = &web.LoginView{Realm: realm, Error: msg}
		return
	}
	a.text = "429 " + msg
}

func (a *answer) unavailable(why string) {
	a.status, a.text = http.StatusServiceUnavailable, "503 Service Unavailable: "+why
}

// Why a store's outage stops a request (the 503's text).
const (
	loginDown = "the login check is not working; try again shortly"
	linkDown  = "the share link cannot be checked right now; try again shortly"
)

// redirect is a 303 to a relative location: relative, so it keeps a stage
// prefix the function does not see in its paths.
func (a *answer) redirect(location string) {
	a.status, a.location = http.StatusSeeOther, location
}

// write is the one place that writes an answer.
func (g *Gate) write(w http.ResponseWriter, r *http.Request, a answer, next http.Handler) {
	h := w.Header()
	for _, c := range a.cookies {
		http.SetCookie(w, c)
		if c.Secure {
			// The cookie is for HTTPS only; so should the site be, for a
			// year, so that no one can strip TLS from the next visit.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
	}
	if a.pass {
		next.ServeHTTP(w, g.forward(r, a.id, a.made))
		return
	}
	if a.challenge {
		h.Set(g.o.ChallengeHeader, g.challenge)
	}
	if a.location != "" {
		h.Set("Location", a.location)
	}
	if a.retry > 0 {
		h.Set("Retry-After", strconv.Itoa(seconds(a.retry)))
	}
	if a.allow != "" {
		h.Set("Allow", a.allow)
	}
	switch {
	case a.login != nil:
		body := g.loginPage
		if *a.login != (web.LoginView{Realm: g.o.Realm}) {
			var b strings.Builder
			if err := g.pages.Login(&b, *a.login); err != nil {
				g.o.Logger.Error("render login", "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			body = []byte(b.String())
		}
		web.SetPageHeaders(h)
		w.WriteHeader(a.status)
		w.Write(body)
	case a.notice != nil && wantsHTML(r):
		var b strings.Builder
		if err := g.pages.Notice(&b, *a.notice); err != nil {
			g.o.Logger.Error("render notice", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		web.SetPageHeaders(h)
		w.WriteHeader(a.status)
		io.WriteString(w, b.String())
	case a.text != "":
		http.Error(w, a.text, a.status)
	default:
		w.WriteHeader(a.status)
	}
}

// forward is the request the wrapped handler gets: the identity in its
// context, and without the credentials that proved it, so no password,
// session cookie or share link reaches the wrapped handler or its logs.
func (g *Gate) forward(r *http.Request, id Identity, made *madeLink) *http.Request {
	f := r.WithContext(withPassed(r.Context(), passed{id: id, g: g, made: made}))
	_, auth := r.Header["Authorization"]
	_, remapped := r.Header[remappedAuthorization]
	cookie := r.Header["Cookie"]
	if !auth && !remapped && len(cookie) == 0 && id.Via != ViaForm {
		return f
	}
	// A new map without the credentials; the other values are shared, as
	// the gate reads r's headers no more.
	f.Header = make(http.Header, len(r.Header))
	for k, v := range r.Header {
		if k != "Authorization" && k != remappedAuthorization && k != "Cookie" {
			f.Header[k] = v
		}
	}
	if len(cookie) == 1 && strings.HasPrefix(cookie[0], session.CookieName+"=") && !strings.Contains(cookie[0], ";") {
		cookie = nil // only the session cookie: the common case, no parsing
	}
	if len(cookie) > 0 {
		var keep []string
		for _, c := range r.Cookies() {
			if c.Name != session.CookieName && c.Name != shareCookieName && c.Name != madeCookieName {
				keep = append(keep, c.String())
			}
		}
		if len(keep) > 0 {
			f.Header["Cookie"] = []string{strings.Join(keep, "; ")}
		}
	}
	if id.Via == ViaForm {
		// A script's form login: the login POST has done its work; the
		// wrapped handler answers what the GET after it would get.
		f.Method, f.Body, f.ContentLength = http.MethodGet, http.NoBody, 0
		delete(f.Header, "Content-Type")
		f.Form, f.PostForm, f.MultipartForm = nil, nil, nil
	}
	return f
}

// seconds rounds d up to whole seconds, for Retry-After.
func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }
