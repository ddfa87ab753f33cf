package formgate

// The token routes below RoutePrefix + "tokens": make a token, list
// them, show one, revoke one (tokenway.go has the way in by a token).

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
	"github.com/formgate/formgate/web"
)

const (
	// newTokenCookie carries a token just made to the page the browser is
	// sent back to (post/redirect/get), sealed, for a minute, to be shown
	// once.
	newTokenCookie = "formgate_newtoken"
	// maxLiveTokens bounds the tokens of one user at once, so that the
	// list (one DynamoDB item and one batch read) stays small.
	maxLiveTokens = 20
	// minTokenTTL is the shortest token a script may ask for.
	minTokenTTL = time.Minute
)

// tokenRoute answers RoutePrefix + "tokens" (POST: make one; GET: the
// caller's list, as JSON), + "tokens/revoke" (POST) and + "tokens/ID"
// (GET: one of the caller's, as JSON — where a new token's Location
// points).
func (g *Gate) tokenRoute(r *http.Request, jar *cookies) *reply {
	rest := strings.TrimPrefix(r.URL.Path, g.routes+"tokens")
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case rest == "" && r.Method == http.MethodPost:
		return g.makeToken(r, jar)
	case rest == "" && read:
		return g.listTokens(r, jar)
	case rest == "":
		return methodNotAllowed("405 Method Not Allowed: make a token with a POST, list yours with a GET", "GET, HEAD, POST")
	case rest == "/revoke" && r.Method == http.MethodPost:
		return g.revokeToken(r, jar)
	case rest == "/revoke":
		return methodNotAllowed("405 Method Not Allowed: revoke a token with a POST", http.MethodPost)
	case read:
		return g.showToken(r, jar, rest[1:])
	}
	return methodNotAllowed("405 Method Not Allowed: read a token's details with a GET", "GET, HEAD")
}

// tokenUser finds out who asks at a token route: Basic credentials or a
// session that still holds. Not a token (a leaked one must not make
// more, nor revoke the others), not a share link, not a login form.
func (g *Gate) tokenUser(r *http.Request, jar *cookies) (*caller, *reply) {
	if raw, _ := tokenFrom(r); raw != "" {
		g.o.Logger.Info("token route with a token", "method", r.Method, "remote", r.RemoteAddr)
		return nil, textReply(http.StatusForbidden, "403 Forbidden: a token cannot make, list or revoke tokens; use a password (Basic) or a session")
	}
	for _, way := range []way{g.byBasic, g.bySession} {
		if who, stop := way(r, jar); who != nil || stop != nil {
			return who, stop
		}
	}
	g.o.Logger.Info("token route without a login", "method", r.Method, "remote", r.RemoteAddr)
	return nil, g.tokenNotice(r, http.StatusUnauthorized, "Log in for tokens",
		"Only someone logged in with a password can make, list or revoke tokens for scripts (a session, or Basic credentials).")
}

// tokenNotice is an answer about tokens: a page for a browser (with a
// way back), text for a script.
func (g *Gate) tokenNotice(r *http.Request, status int, heading, message string) *reply {
	return &reply{status: status, text: fmt.Sprintf("%d %s: %s", status, http.StatusText(status), message),
		notice: &web.NoticeView{Heading: heading, Message: message, Back: g.ref(r.URL.Path, g.o.BasePath), BackText: "Back"}}
}

// tokenPost admits a POST to a token route that writes: who posts, the
// store that writes, or the answer why not.
func (g *Gate) tokenPost(r *http.Request, jar *cookies) (*caller, TokenWriter, *reply) {
	who, stop := g.tokenUser(r, jar)
	if stop != nil {
		return nil, nil, stop
	}
	if g.tokenWriter == nil {
		g.o.Logger.Info("token route: the tokens are read-only here", "user", who.user.Name, "remote", r.RemoteAddr)
		return nil, nil, g.tokenNotice(r, http.StatusForbidden, "Tokens come from a file here",
			"Tokens here are made by whoever runs the site (hash-password -token) and deployed with it; revoking one means removing its line and deploying again.")
	}
	if stop := g.routeForm(r, "token"); stop != nil {
		return nil, nil, stop
	}
	return who, g.tokenWriter, nil
}

// makeToken makes a token for the user who posts, with the name and
// lifetime asked (fields name and ttl). A script gets the token alone as
// text (201) and its URL in Location; a browser is sent back to the base
// path, whose page shows the token once (the sealed new-token cookie).
func (g *Gate) makeToken(r *http.Request, jar *cookies) *reply {
	who, w, stop := g.tokenPost(r, jar)
	if stop != nil {
		return stop
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if err := apitoken.CheckName(name); err != nil {
		g.o.Logger.Info("token refused: bad name", "user", who.user.Name, "remote", r.RemoteAddr)
		return g.tokenNotice(r, http.StatusBadRequest, "This name will not do", "The field name: "+err.Error()+".")
	}
	ttl, err := time.ParseDuration(r.PostFormValue("ttl"))
	if err != nil || ttl < minTokenTTL || ttl > g.o.TokenMaxTTL {
		g.o.Logger.Info("token refused: lifetime out of range", "user", who.user.Name, "remote", r.RemoteAddr)
		return g.tokenNotice(r, http.StatusBadRequest, "This lifetime will not do",
			fmt.Sprintf("The field ttl must be a Go duration from %s to %s, e.g. %s.", lifetimeList([]time.Duration{minTokenTTL}), lifetimeList([]time.Duration{g.o.TokenMaxTTL}), lifetimeList(g.tokenLifetimes[:1])))
	}
	token, id := apitoken.New()
	now := time.Now().Truncate(time.Second)
	t := Token{ID: id, User: who.user.Name, Name: name, Hash: apitoken.HashOf(token), Created: now, Expires: now.Add(ttl)}
	switch err := w.Add(r.Context(), t, maxLiveTokens); {
	case errors.Is(err, ErrTooManyTokens):
		g.o.Logger.Info("token refused: too many", "user", t.User, "remote", r.RemoteAddr)
		return g.tokenNotice(r, http.StatusConflict, "Too many tokens",
			fmt.Sprintf("%d of your tokens still work. Revoke one before you make another.", maxLiveTokens))
	case err != nil:
		g.tokens.Failed(r.Context(), g.o.Logger, err)
		return unavailable("the token could not be recorded; try again shortly")
	}
	g.tokens.OK(g.o.Logger)
	g.o.Logger.Info("token made", "user", t.User, "id", t.ID, "expires", t.Expires.UTC(), "via", who.id.Via, "remote", r.RemoteAddr)
	if wantsHTML(r) {
		sealed := g.shown.Seal(apitoken.Made{Token: token, ID: id, Name: name, User: t.User, Expires: t.Expires, Until: now.Add(madeCookieAge * time.Second)})
		jar.add(g.newTokenCookie(r, sealed, madeCookieAge))
		return redirect(g.ref(r.URL.Path, g.o.BasePath))
	}
	// The token alone, for $(curl …); Location names it without the secret.
	return &reply{status: http.StatusCreated, text: token, location: g.routes + "tokens/" + id}
}

// revokeToken ends the poster's token (field id) in every instance that
// shares the store. Idempotent: an id that is not one of the poster's
// live tokens — another user's, one revoked before, one that never was —
// is answered as one that was; only the log tells them apart.
func (g *Gate) revokeToken(r *http.Request, jar *cookies) *reply {
	who, w, stop := g.tokenPost(r, jar)
	if stop != nil {
		return stop
	}
	id, user, now := r.PostFormValue("id"), who.user.Name, time.Now()
	if id == "" {
		g.o.Logger.Info("token revocation refused: no id", "user", user, "remote", r.RemoteAddr)
		return textReply(http.StatusBadRequest, "400 Bad Request: the field id must name one of your tokens")
	}
	live := false
	if apitoken.ValidID(id) {
		t, ok, err := w.Find(r.Context(), id)
		// Only the poster's own token is touched.
		if live = err == nil && ok && t.User == user && t.live(now); live {
			err = w.Revoke(r.Context(), user, id, now)
		}
		if err != nil {
			g.tokens.Failed(r.Context(), g.o.Logger, err)
			return unavailable("the token could not be revoked; try again shortly")
		}
		g.tokens.OK(g.o.Logger)
	}
	if live {
		g.o.Logger.Info("token revoked", "user", user, "id", id, "remote", r.RemoteAddr)
	} else {
		g.o.Logger.Info("token revocation: not one of the user's live tokens", "user", user, "remote", r.RemoteAddr)
	}
	if wantsHTML(r) {
		return redirect(g.ref(r.URL.Path, g.o.BasePath))
	}
	return &reply{status: http.StatusNoContent}
}

// tokenJSON is a token as the JSON routes show it: never the token.
type tokenJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Created  *time.Time `json:"created"`
	Expires  time.Time  `json:"expires"`
	LastUsed *time.Time `json:"last_used"`
}

func asJSON(t Token) tokenJSON {
	j := tokenJSON{ID: t.ID, Name: t.Name, Expires: t.Expires.UTC()}
	if !t.Created.IsZero() {
		c := t.Created.UTC()
		j.Created = &c
	}
	if !t.LastUsed.IsZero() {
		u := t.LastUsed.UTC()
		j.LastUsed = &u
	}
	return j
}

// listTokens answers the caller's live tokens as JSON, soonest to expire
// first.
func (g *Gate) listTokens(r *http.Request, jar *cookies) *reply {
	who, stop := g.tokenUser(r, jar)
	if stop != nil {
		return stop
	}
	list, err := g.o.Tokens.List(r.Context(), who.user.Name)
	if err != nil {
		g.tokens.Failed(r.Context(), g.o.Logger, err)
		return unavailable("the tokens cannot be listed right now; try again shortly")
	}
	g.tokens.OK(g.o.Logger)
	slices.SortFunc(list, func(a, b Token) int { return a.Expires.Compare(b.Expires) })
	out := make([]tokenJSON, 0, len(list))
	for _, t := range list {
		out = append(out, asJSON(t))
	}
	return &reply{status: http.StatusOK, json: out}
}

// showToken answers one of the caller's tokens as JSON, live or not; 404
// for any other id.
func (g *Gate) showToken(r *http.Request, jar *cookies, id string) *reply {
	who, stop := g.tokenUser(r, jar)
	if stop != nil {
		return stop
	}
	if !apitoken.ValidID(id) {
		return notFound("no such token")
	}
	t, ok, err := g.o.Tokens.Find(r.Context(), id)
	if err != nil {
		g.tokens.Failed(r.Context(), g.o.Logger, err)
		return unavailable("the token cannot be read right now; try again shortly")
	}
	g.tokens.OK(g.o.Logger)
	if !ok || t.User != who.user.Name {
		return notFound("no such token of yours")
	}
	j := struct {
		tokenJSON
		Revoked *time.Time `json:"revoked"`
	}{tokenJSON: asJSON(t)}
	if !t.Revoked.IsZero() {
		v := t.Revoked.UTC()
		j.Revoked = &v
	}
	return &reply{status: http.StatusOK, json: j}
}

// newTokenCookie is the cookie that carries a token just made: the
// session cookie's attributes under its own name, SameSite=Strict (it is
// only ever read after the same-site POST that set it).
func (g *Gate) newTokenCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	c := g.cookie(r, value, maxAge)
	c.Name, c.SameSite = newTokenCookie, http.SameSiteStrictMode
	return c
}

// takeNewToken hands a token made just before to the page, if it is the
// caller's; a new-token cookie that is not is cleared at once.
func (g *Gate) takeNewToken(r *http.Request, id Identity, jar *cookies) *newToken {
	if g.shown == nil {
		return nil
	}
	cookies := jar.named(newTokenCookie)
	if len(cookies) == 0 {
		return nil
	}
	if m, err := g.shown.Open(cookies[0].Value, time.Now()); err == nil && mayMakeTokens(id) && m.User == id.User {
		return &newToken{made: m}
	}
	jar.add(g.newTokenCookie(r, "", -1))
	return nil
}

// tokenLifetimes are the token lifetimes a page offers under the cap: 30
// days, 90 days, a year, those above it left out, and the cap itself when
// it is none of them, shortest first.
func tokenLifetimes(limit time.Duration) []time.Duration {
	const day = 24 * time.Hour
	var out []time.Duration
	for _, d := range []time.Duration{30 * day, 90 * day, 365 * day} {
		if d <= limit {
			out = append(out, d)
		}
	}
	if !slices.Contains(out, limit) {
		out = append(out, limit)
	}
	return out
}

// tokenKeys sets up tokens for scripts, with Options.Tokens: whether the
// store writes, the key that seals a new token for its page, and the
// lifetimes offered.
func (g *Gate) tokenKeys() (err error) {
	if g.o.Tokens == nil {
		return nil
	}
	g.tokenLifetimes = tokenLifetimes(g.o.TokenMaxTTL)
	if g.tokenWriter, _ = g.o.Tokens.(TokenWriter); g.tokenWriter != nil {
		g.shown, err = apitoken.NewShown(g.o.SessionSecret, g.o.BasePath)
	}
	return err
}
