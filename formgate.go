// Package formgate puts a password in front of any http.Handler, in a way
// that works behind AWS API Gateway: browsers get an HTML login form and a
// signed, encrypted session cookie (API Gateway renames the
// WWW-Authenticate header, so their own prompt never shows), scripts send
// Basic credentials on every request.
//
//	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", pw), SessionSecret: secret, BasePath: "/app"})
//	if err != nil { log.Fatal(err) }
//	http.ListenAndServe("127.0.0.1:8080", g.Protect(app))
//
// Everything under Options.BasePath is protected; the wrapped handler sees
// who logged in with IdentityFrom, and never the credentials themselves.
// BasePath + "/_formgate/…" are the gate's own routes (logout; see
// LogoutURL), and paths outside BasePath get 404, so route public paths
// (a health check) to other handlers in front of the gate.
//
// On Lambda, serve the protected handler with package lambdaproxy, which
// takes every front door's events (REST API, HTTP API, Function URL, ALB)
// and tells the gate the stage prefix for the cookie's Path:
//
//	lambda.Start(lambdaproxy.New(g.Protect(app), logger))
//
// Options are plain Go values; package config fills them from the
// environment variables the formgate programs read.
package formgate

import (
	"context"
	"net/http"
	"time"

	"github.com/formgate/formgate/handlers/gate"
)

// Options configure a Gate; see the fields for the defaults a zero value
// gets.
type Options = gate.Options

// Gate asks for credentials in front of the handlers it protects.
type Gate = gate.Gate

// OptionError is a problem with one field of Options, as New reports it.
type OptionError = gate.OptionError

// New validates o once, fills in the defaults and returns the gate.
func New(o Options) (*Gate, error) { return gate.New(o) }

// A Checker decides whether a user name and password are good. A wrong
// password is ok == false; err is for a check that could not be made (the
// gate answers 503 and lets nobody in).
type Checker = gate.Checker

// User is who a Checker says the caller is.
type User = gate.User

// PlainPassword is a Checker for one user whose password is given in
// plain text; it compares in constant time.
func PlainPassword(username, password string) Checker { return gate.PlainPassword(username, password) }

// A Limiter holds back clients that fail to log in too often: Spend before
// the check, Refund after a successful one.
type Limiter = gate.Limiter

// MemoryLimiter is the default Limiter: a token bucket per client address
// in this process.
type MemoryLimiter = gate.Memory

// NewMemoryLimiter allows burst failed logins per client address, then
// one per every.
func NewMemoryLimiter(burst int, every time.Duration) *MemoryLimiter {
	return gate.NewMemoryLimiter(burst, every)
}

// Identity is who the gate let through and how.
type Identity = gate.Identity

// Via is how an Identity was proved.
type Via = gate.Via

// The ways in.
const (
	ViaSession    = gate.ViaSession    // the session cookie of an earlier form login
	ViaForm       = gate.ViaForm       // the login form, in this very request
	ViaBasic      = gate.ViaBasic      // an Authorization: Basic header
	ViaAuthorizer = gate.ViaAuthorizer // a REST API custom authorizer (Options.TrustAuthorizer)
)

// IdentityFrom returns who the gate let through, from the context of a
// request the wrapped handler got.
func IdentityFrom(ctx context.Context) (Identity, bool) { return gate.IdentityFrom(ctx) }

// LogoutURL is where a logout button (a form that POSTs) should point,
// relative to r, so it works under any stage prefix; "" when r's identity
// has no session to end (Basic, authorizer).
func LogoutURL(r *http.Request) string { return gate.LogoutURL(r) }
