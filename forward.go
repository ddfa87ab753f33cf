// What the wrapped handler gets.

package formgate

import (
	"net/http"
	"slices"
	"strings"

	"github.com/formgate/formgate/internal/apitoken"
	"github.com/formgate/formgate/internal/session"
)

// forward is the request the wrapped handler gets: the identity in its
// context, and without the credentials that proved it, so no password,
// session cookie or share link reaches the wrapped handler or its logs.
func (g *Gate) forward(r *http.Request, d decision) *http.Request {
	id := d.in.id
	f := r.WithContext(withPassed(r.Context(), passed{id: id, g: g, made: d.made, token: d.token, deadline: d.deadline}))
	_, auth := r.Header["Authorization"]
	_, remapped := r.Header[remappedAuthorization]
	_, apiKey := r.Header[apiKeyHeader]
	cookie := r.Header["Cookie"]
	if !auth && !remapped && !apiKey && len(cookie) == 0 && id.Via != ViaForm {
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
	// A token never reaches the handler, whichever way let the caller
	// in; any other X-Api-Key is the application's.
	if apiKey && slices.ContainsFunc(r.Header[apiKeyHeader], func(v string) bool { return apitoken.Looks(strings.TrimSpace(v)) }) {
		delete(f.Header, apiKeyHeader)
	}
	if len(cookie) == 1 && strings.HasPrefix(cookie[0], session.CookieName+"=") && !strings.Contains(cookie[0], ";") {
		cookie = nil // only the session cookie: the common case, no parsing
	}
	if len(cookie) > 0 {
		var keep []string
		for _, c := range d.cookies.sent {
			if c.Name != session.CookieName && c.Name != shareCookieName && c.Name != madeCookieName && c.Name != deviceCookieName && c.Name != newTokenCookie {
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
