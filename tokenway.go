package formgate

// The way in by a token for scripts (Options.Tokens): an Authorization:
// Bearer header or X-Api-Key, checked on every request with one read of
// the store.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
)

// apiKeyHeader carries a token for clients whose Authorization header
// belongs to something else.
const apiKeyHeader = "X-Api-Key"

// tokenFrom is the token r carries and the header it came in: X-Api-Key
// when it holds one, else Authorization (or the remapped one, as for
// Basic) with the Bearer scheme. "" when no header looks like a token
// (starts with fgt_): any other Authorization is Basic's to answer, any
// other X-Api-Key the application's.
func tokenFrom(r *http.Request) (token, header string) {
	if k := strings.TrimSpace(r.Header.Get(apiKeyHeader)); apitoken.Looks(k) {
		return k, apiKeyHeader
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(authorization(r)), " ")
	if t := strings.TrimSpace(rest); strings.EqualFold(scheme, "Bearer") && apitoken.Looks(t) {
		return t, "Authorization"
	}
	return "", ""
}

// byToken lets in the holder of a token that still holds, as its maker
// (ViaToken), for reading: GET and HEAD. It comes before Basic, so that
// Authorization: Bearer fgt_… is read here; a token header decides alone.
func (g *Gate) byToken(r *http.Request, _ *cookies) (*caller, *reply) {
	raw, header := tokenFrom(r)
	if raw == "" {
		return nil, nil
	}
	now := time.Now()
	t, p, err := g.checkToken(r.Context(), raw, now)
	if err != nil {
		return nil, unavailable("the token cannot be checked right now; try again shortly")
	}
	if p != nil {
		return nil, g.refuseToken(r, t, p, header)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		g.o.Logger.Info("token used beyond its scope", "method", r.Method, "user", t.User, "id", t.ID, "remote", r.RemoteAddr)
		return nil, textReply(http.StatusForbidden, "403 Forbidden: a token opens pages for reading only (GET and HEAD); log in with a password to do more")
	}
	g.touch(r.Context(), t, now)
	g.o.Logger.Debug("login", "via", ViaToken, "user", t.User, "id", t.ID, "remote", r.RemoteAddr) // scripts: every request
	return &caller{id: Identity{User: t.User, Via: ViaToken}}, nil
}

// tokenProblem is why a token does not let its holder in: a word for the
// log, what the answer says, and whether it counts as a failed login for
// the client's address (a token that is not one: never a right one that
// has ended, whose script only needs telling).
type tokenProblem struct {
	why, text string
	counts    bool
}

var (
	tokenMalformed = tokenProblem{"malformed", "the token is malformed: cut short, or garbled in a copy", true}
	tokenUnknown   = tokenProblem{"unknown", "the token is not valid here", true}
	// tokenWrong: an id the store knows with another secret (a token cut
	// short or changed in a copy, or a guess): told apart in the log only.
	tokenWrong    = tokenProblem{"wrong-secret", tokenUnknown.text, true}
	tokenRevoked  = tokenProblem{"revoked", "the token was revoked", false}
	tokenUserGone = tokenProblem{"user-gone", "the token's user no longer exists", false}
)

// checkToken says whether raw is a token that still holds: well formed,
// its id in the store with the same hash, neither revoked nor expired,
// and its user still there (a new password of theirs does not matter:
// tokens are made to outlive one). t is the store's token once the hash
// matched; err when that cannot be known (a store is down, logged).
func (g *Gate) checkToken(ctx context.Context, raw string, now time.Time) (Token, *tokenProblem, error) {
	id, err := apitoken.Parse(raw)
	if err != nil {
		return Token{}, &tokenMalformed, nil
	}
	t, ok, err := g.o.Tokens.Find(ctx, id)
	if err != nil {
		g.tokens.Failed(ctx, g.o.Logger, err)
		return Token{}, nil, err
	}
	g.tokens.OK(g.o.Logger)
	// Looked up by id, compared by the hash of the whole token in constant
	// time (even when no token has the id): the time taken tells nothing
	// of how much of a wrong token was right.
	switch match := apitoken.Matches(raw, t.Hash); {
	case !ok:
		return Token{}, &tokenUnknown, nil
	case !match:
		return Token{ID: t.ID}, &tokenWrong, nil // the id alone, for the log
	}
	switch {
	case !t.Revoked.IsZero():
		return t, &tokenRevoked, nil
	case !now.Before(t.Expires):
		return t, &tokenProblem{"expired", "the token expired at " + t.Expires.UTC().Format(time.RFC3339) + "; make a new one", false}, nil
	}
	switch _, ok, err := g.o.Checker.Lookup(ctx, t.User); {
	case err != nil:
		g.checks.Failed(ctx, g.o.Logger, err)
		return t, nil, err
	case !ok:
		return t, &tokenUserGone, nil
	}
	return t, nil, nil
}

// refuseToken answers a token that does not hold: 401 with the reason
// and a Bearer challenge (RFC 6750), or 429 when a token that is not one
// finds its address's budget of failed logins spent. The log gets the
// reason and, for a token the store knows, its id — never the token.
func (g *Gate) refuseToken(r *http.Request, t Token, p *tokenProblem, header string) *reply {
	if p.counts {
		if stop := g.failedToken(r); stop != nil {
			return stop
		}
	}
	attrs := []any{"why", p.why, "header", header}
	if t.ID != "" {
		attrs = append(attrs, "id", t.ID)
	}
	if t.User != "" {
		attrs = append(attrs, "user", t.User)
	}
	g.o.Logger.Info("token refused", append(attrs, "remote", r.RemoteAddr)...)
	return &reply{status: http.StatusUnauthorized, text: "401 Unauthorized: " + p.text + ".", bearer: p.text}
}

// failedToken counts a token that is not one as a failed login of the
// client's address — never of a user: such a token names none. It spends
// an attempt only now, after the check, so that a right token costs no
// write to a shared limiter; an address whose budget is spent gets 429
// (a right token still gets in: it cannot be guessed, and a CI runner
// behind a busy NAT must not be shut out).
func (g *Gate) failedToken(r *http.Request) *reply {
	ctx, addr := r.Context(), clientKey(r)
	if addr == "" {
		g.noAddress.Do(func() {
			g.o.Logger.Warn("requests come without a client address: wrong tokens are not limited, and only the per-user login limit applies")
		})
		return nil
	}
	wait, err := g.o.Limiter.Spend(ctx, addr)
	if err != nil {
		g.limits.Failed(ctx, g.o.Logger, err)
		return nil // refused anyway; the limiter's outage is logged
	}
	g.limits.OK(g.o.Logger)
	if wait > 0 {
		g.o.Logger.Warn("token refused: too many failed attempts", "per", "address", "via", ViaToken, "remote", r.RemoteAddr, "retry_after_s", seconds(wait))
		return tooMany(wait)
	}
	g.settle(ctx, g.o.Limiter, addr, true)
	return nil
}

// touch records the token's use, at most once an hour: the store's
// last use, and this process's own note (so that requests at once do not
// all write).
func (g *Gate) touch(ctx context.Context, t Token, now time.Time) {
	if now.Sub(t.LastUsed) < time.Hour {
		return
	}
	if last, ok := g.touched.Load(t.ID); ok && now.Sub(last.(time.Time)) < time.Hour {
		return
	}
	g.touched.Store(t.ID, now)
	if err := g.o.Tokens.Used(ctx, t.ID, now.Truncate(time.Second)); err != nil {
		// Only the list's "last used" is behind: nothing is refused.
		g.o.Logger.Warn("token use not recorded", "id", t.ID, "err", err)
	}
}

// mayMakeTokens reports whether id may make, list and revoke tokens:
// users who proved a password (a session of a form login, or Basic). Not
// a share link's visitor, not a token, not an authorizer's principal.
func mayMakeTokens(id Identity) bool { return mayShare(id) }
