package formgate

import (
	"context"
	"net/http"
	"time"
)

// Identity is who the gate let through and how. The wrapped handler reads
// it with IdentityFrom.
type Identity struct {
	// User is the name the Checker returned (or the authorizer's principal).
	User string
	// Via is how the user proved it.
	Via Via
}

// Via is a way an Identity can be proved.
type Via string

// The ways in.
const (
	ViaSession Via = "session" // the session cookie of an earlier form login
	ViaForm    Via = "form"    // the login form, in this very request
	ViaBasic   Via = "basic"   // an Authorization: Basic header
	// ViaAuthorizer: a REST API custom authorizer checked the request
	// before it reached the function.
	ViaAuthorizer Via = "authorizer"
	// ViaShare: a share link (Options.ShareLinks); User is the user who
	// made it. Such a caller may only read BasePath.
	ViaShare Via = "share"
	// ViaToken: a token for scripts (Options.Tokens); User is the user who
	// made it. Such a caller may only read (GET and HEAD).
	ViaToken Via = "token"
)

// HasSession reports whether the identity is backed by a session cookie,
// the only kind a logout can end (Basic and authorizer callers send their
// credentials on every request).
func (id Identity) HasSession() bool { return id.Via == ViaSession || id.Via == ViaForm }

// passed is what the gate puts in the context of a request it lets
// through.
type passed struct {
	id   Identity
	g    *Gate // its routes and options, for the page helpers
	made *madeLink
	// deadline bounds the store reads of the page helpers (SharingFor)
	// by the decision's; zero when the stores are in memory.
	deadline time.Time
	// token is a token for scripts made just before, for TokensFor.
	token *newToken
}

type passedKey struct{}

func withPassed(ctx context.Context, p passed) context.Context {
	return context.WithValue(ctx, passedKey{}, p)
}

// IdentityFrom returns the identity the gate put in ctx; false when the
// request did not come through a gate.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	p, ok := ctx.Value(passedKey{}).(passed)
	return p.id, ok
}

// LogoutURL is the URL of the gate's logout route, relative to r, for a
// logout button (a form that POSTs to it); "" when r's identity has no
// session to end. Relative, so it works under any stage prefix and at any
// depth below the base path.
func LogoutURL(r *http.Request) string {
	p, ok := r.Context().Value(passedKey{}).(passed)
	if !ok || !p.id.HasSession() {
		return ""
	}
	return p.g.ref(r.URL.Path, p.g.routes+"logout")
}

// LogoutEverywhereURL is the URL, relative to r, of the gate's "log out
// everywhere" route, which ends every session of r's user in every
// instance; "" when r has no session or the gate keeps no revocations.
func LogoutEverywhereURL(r *http.Request) string {
	p, ok := r.Context().Value(passedKey{}).(passed)
	if !ok || !p.id.HasSession() || p.g.o.Revocations == nil {
		return ""
	}
	return p.g.ref(r.URL.Path, p.g.routes+"logout-everywhere")
}

// storeContext is r's context for a page helper's store read, within the
// decision's deadline when there is one.
func (p passed) storeContext(r *http.Request) (context.Context, context.CancelFunc) {
	if p.deadline.IsZero() {
		return r.Context(), func() {}
	}
	return context.WithDeadline(r.Context(), p.deadline)
}
