// The gate's own answers, and the one place that writes a decision.

package formgate

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/formgate/formgate/web"
)

// reply is an answer the gate gives in place of the wrapped handler: a
// status, its headers, and a body — the login form, a page that says one
// thing (notice, for browsers), or plain text.
type reply struct {
	status    int
	login     *web.LoginView  // the login form is the body
	notice    *web.NoticeView // a page that says one thing, to browsers; others get text
	text      string
	challenge bool // send the Basic challenge
	location  string
	retry     time.Duration
	allow     string
	why       string // for the request's log line, when the status alone does not say
	bearer    string // a refused token: the Bearer challenge's error_description
	json      any    // a body to send as JSON (the token routes' lists)
}

func textReply(status int, text string) *reply { return &reply{status: status, text: text} }

func loginReply(status int, v web.LoginView) *reply { return &reply{status: status, login: &v} }

// notFound is the 404 of a path nobody serves; why says more, if anything.
func notFound(why string) *reply {
	text := "404 page not found"
	if why != "" {
		text += ": " + why
	}
	return textReply(http.StatusNotFound, text)
}

func methodNotAllowed(text, allow string) *reply {
	return &reply{status: http.StatusMethodNotAllowed, text: text, allow: allow}
}

// askBasic is the 401 a script gets: the challenge, and a body that says
// what to do, for a person reading it in a terminal.
func askBasic(reason string) *reply {
	return &reply{status: http.StatusUnauthorized, challenge: true,
		text: "401 Unauthorized: " + reason + ". Send Basic credentials (curl -u USER:PASSWORD URL) or open this URL in a browser to log in."}
}

// tooMany is the 429 of a login held back for wait.
func tooMany(wait time.Duration) *reply {
	return &reply{status: http.StatusTooManyRequests, retry: wait, text: "429 " + tooManyMessage(wait)}
}

// tooManyMessage says when to try again, for the 429's text and for the
// login form that shows it.
func tooManyMessage(wait time.Duration) string {
	n := seconds(wait)
	unit := " seconds."
	if n == 1 {
		unit = " second."
	}
	return "Too many failed logins. Try again in " + strconv.Itoa(n) + unit
}

func unavailable(why string) *reply {
	return textReply(http.StatusServiceUnavailable, "503 Service Unavailable: "+why)
}

// Why a store's outage stops a request (the 503's text).
const (
	loginDown = "the login check is not working; try again shortly"
	linkDown  = "the share link cannot be checked right now; try again shortly"
)

// redirect is a 303 to a relative location: relative, so it keeps a stage
// prefix the function does not see in its paths.
func redirect(location string) *reply {
	return &reply{status: http.StatusSeeOther, location: location}
}

// write is the one place that writes a decision: its cookies, then the
// wrapped handler's answer or the gate's own.
func (g *Gate) write(w http.ResponseWriter, r *http.Request, d decision, next http.Handler) {
	for _, c := range d.cookies.set {
		http.SetCookie(w, c)
		if c.Secure {
			// The cookie is for HTTPS only; so should the site be, for a
			// year, so that no one can strip TLS from the next visit.
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
	}
	if d.in != nil {
		if d.made != nil {
			w = &clearWhenShown{ResponseWriter: w, shown: &d.made.shownOnce, clear: g.linkCookie(r, madeCookieName, "", -1)}
		}
		if d.token != nil {
			w = &clearWhenShown{ResponseWriter: w, shown: &d.token.shownOnce, clear: g.newTokenCookie(r, "", -1)}
		}
		next.ServeHTTP(w, g.forward(r, d))
		return
	}
	g.writeReply(w, r, d.reply)
}

// writeReply writes one of the gate's own answers.
func (g *Gate) writeReply(w http.ResponseWriter, r *http.Request, rp *reply) {
	h := w.Header()
	if rp.challenge {
		h.Set(g.o.ChallengeHeader, g.challenge)
	}
	if rp.bearer != "" {
		// RFC 6750: a refused token is told so in the challenge too.
		h.Set(g.o.ChallengeHeader, `Bearer realm="`+g.o.Realm+`", error="invalid_token", error_description="`+rp.bearer+`"`)
	}
	if rp.location != "" {
		h.Set("Location", rp.location)
	}
	if rp.retry > 0 {
		h.Set("Retry-After", strconv.Itoa(seconds(rp.retry)))
	}
	if rp.allow != "" {
		h.Set("Allow", rp.allow)
	}
	page, err := g.page(r, rp)
	switch {
	case err != nil:
		g.o.Logger.Error("render page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	case page != nil:
		web.SetPageHeaders(h)
		w.WriteHeader(rp.status)
		w.Write(page)
	case rp.json != nil:
		body, _ := json.Marshal(rp.json)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		w.Write(append(body, '\n'))
	case rp.text != "" && rp.status >= 400 && wantsJSON(r):
		// A JSON client reads a refusal as JSON, with the same status and
		// headers (the challenge, Retry-After).
		body, _ := json.Marshal(struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}{message(rp.status, rp.text), rp.status})
		h.Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		w.Write(append(body, '\n'))
	case rp.text != "":
		http.Error(w, rp.text, rp.status)
	default:
		w.WriteHeader(rp.status)
	}
}

// message is an answer's text without the status in front ("401
// Unauthorized: "), which JSON carries in its own field.
func message(status int, text string) string {
	text = strings.TrimPrefix(text, strconv.Itoa(status)+" ")
	return strings.TrimPrefix(text, http.StatusText(status)+": ")
}

// page is the HTML body of rp, if it has one for r: the login form, or a
// notice for a browser. nil for a text or empty answer.
func (g *Gate) page(r *http.Request, rp *reply) ([]byte, error) {
	var b strings.Builder
	switch {
	case rp.login != nil && *rp.login == g.blank:
		return g.loginPage, nil
	case rp.login != nil:
		if err := g.pages.Login(&b, *rp.login); err != nil {
			return nil, err
		}
	case rp.notice != nil && wantsHTML(r):
		v := *rp.notice
		v.Style = g.blank.Style
		if err := g.pages.Notice(&b, v); err != nil {
			return nil, err
		}
	default:
		return nil, nil
	}
	return []byte(b.String()), nil
}

// seconds rounds d up to whole seconds, for Retry-After.
func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }
