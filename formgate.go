// Package formgate puts a password in front of any http.Handler, in a way
// that works behind AWS API Gateway: browsers get an HTML login form and a
// signed, encrypted session cookie (API Gateway renames the
// WWW-Authenticate header, so their own prompt never shows), scripts send
// Basic credentials on every request.
//
//	g, err := formgate.New(formgate.Options{Checker: formgate.PlainPassword("anna", pw), SessionSecret: []byte(secret), BasePath: "/app"})
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8080", g.Protect(app)))
//
// The types here are aliases of package
// github.com/formgate/formgate/handlers/gate, where the gate is
// implemented; `go doc -all github.com/formgate/formgate/handlers/gate`
// shows every field of Options with its default.
//
// # What the wrapped handler sees
//
// Everything under Options.BasePath (default /report), the base path
// itself included, is protected; paths outside it get 404 from the gate,
// so route public paths (a health check) to other handlers in front of the
// gate. BasePath + "/_formgate/…" are the gate's own routes (logout: see
// LogoutURL; share links: see ShareURL). The wrapped handler learns who
// logged in from IdentityFrom, and never sees the credentials: the
// Authorization header and the session and share-link cookies are
// removed, and a script's form login arrives as a GET without its body.
//
// With Options.ShareLinks, a user logged in with a password can make a
// link that opens BasePath (GET and HEAD of exactly that path, any query)
// without a password until it expires: the caller is then
// Identity{User: the maker, Via: ViaShare}. Offer it on a page with
// ShareURL, ShareLifetimes, NewShareLink and ShareLinks.
//
// Things to know when writing the wrapped handler:
//   - After a form login a browser is sent back (303) to the URL it logged
//     in at, as a GET: a POST that met the login form is not replayed.
//   - Until a browser has a session, a POST with fields named username and
//     password is a login attempt; with a session, it reaches the handler
//     (the gate's own form has a hidden _formgate=login field, so it stays
//     a login and never reaches the handler).
//   - Paths with . or .. segments get 400: browsers never send them.
//   - Cross-site POSTs are refused (403) on every path under the base path,
//     with net/http's CrossOriginProtection.
//   - Behind an API Gateway stage the function's paths lack the stage
//     (/app, not /dev/app): make links and redirects relative, and write
//     the Location header yourself, because http.Redirect and ServeMux's
//     own redirects make it absolute.
//   - The gate logs one line per request at Info to Options.Logger
//     (slog.Default() if nil); pass a logger with a higher level to
//     silence it.
//
// # On Lambda
//
// Serve the protected handler with package lambdaproxy, which takes every
// front door's events (REST API, HTTP API, Function URL, ALB) and tells the
// gate the stage prefix for the cookie's Path:
//
//	lambda.Start(lambdaproxy.New(g.Protect(app), logger))
//
// (lambda is github.com/aws/aws-lambda-go/lambda.) Build a binary called
// bootstrap for provided.al2023 and route BasePath and BasePath/{proxy+},
// any method, to it; examples/library has a program and a serverless.yml.
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

// Options configure a Gate. Checker and SessionSecret (32 bytes or more)
// are required; a zero field gets its default: BasePath "/report",
// SessionTTL 12h, SessionIdle off, Realm "report", Limiter (per client
// address) NewMemoryLimiter(10, time.Minute), UserLimiter (per user name)
// NewMemoryLimiter(30, 20*time.Second), ChallengeHeader
// "WWW-Authenticate", Logger slog.Default(), ShareMaxTTL 7 days. Also
// PreviousSessionSecret (rotation), PromptBrowsers, TrustAuthorizer,
// Revocations, ShareLinks and Shares; see handlers/gate for each field.
type Options = gate.Options

// Gate asks for credentials in front of the handlers it protects: its
// Protect(next) returns next behind the gate, and BasePath() says what it
// protects.
type Gate = gate.Gate

// OptionError is a problem with one field of Options, as New reports it:
// Field, Value (never a secret) and Problem.
type OptionError = gate.OptionError

// New validates o once, fills in the defaults and returns the gate.
func New(o Options) (*Gate, error) { return gate.New(o) }

// A Checker decides whether a user name and password are good (Check),
// and says who a session's user is now (Lookup, on every request with a
// session cookie: a session ends when its user's Stamp changes or the user
// is gone). A wrong password is ok == false; err is for a check that could
// not be made (the gate answers 503 and lets nobody in). PlainPassword and
// package htpasswd (bcrypt, argon2id) are the ones formgate has.
type Checker = gate.Checker

// User is who a Checker says the caller is.
type User = gate.User

// CredentialStamp is a User.Stamp for a user whose stored credential is
// secret (a password hash): it changes when the credential does.
func CredentialStamp(name, secret string) string { return gate.CredentialStamp(name, secret) }

// PlainPassword is a Checker for one user whose password is given in
// plain text; it compares in constant time.
func PlainPassword(username, password string) Checker { return gate.PlainPassword(username, password) }

// A Limiter holds back clients that fail to log in too often: Spend before
// the check, Settle after it (a successful login gives its attempt back).
type Limiter = gate.Limiter

// MemoryLimiter is the default Limiter: a token bucket per client address
// in this process.
type MemoryLimiter = gate.Memory

// NewMemoryLimiter allows burst failed logins per client address, then
// one per every.
func NewMemoryLimiter(burst int, every time.Duration) *MemoryLimiter {
	return gate.NewMemoryLimiter(burst, every)
}

// Revocations remembers sessions ended before their time, so that logout
// ends every copy of a cookie (Options.Revocations). MemoryRevocations
// keeps them in one process; package dynamostore shares them.
type Revocations = gate.Revocations

// MemoryRevocations keeps revocations in this process.
type MemoryRevocations = gate.MemoryRevocations

// NewMemoryRevocations returns an empty MemoryRevocations.
func NewMemoryRevocations() *MemoryRevocations { return gate.NewMemoryRevocations() }

// LogoutEverywhereURL is where a "log out everywhere" button should POST,
// relative to r; "" unless r has a session and Options.Revocations is set.
func LogoutEverywhereURL(r *http.Request) string { return gate.LogoutEverywhereURL(r) }

// Identity is who the gate let through (User) and how (Via);
// HasSession() reports whether a logout can end it.
type Identity = gate.Identity

// Via is how an Identity was proved.
type Via = gate.Via

// The ways in.
const (
	ViaSession    = gate.ViaSession    // the session cookie of an earlier form login
	ViaForm       = gate.ViaForm       // the login form, in this very request
	ViaBasic      = gate.ViaBasic      // an Authorization: Basic header
	ViaAuthorizer = gate.ViaAuthorizer // a REST API custom authorizer (Options.TrustAuthorizer)
	ViaShare      = gate.ViaShare      // a share link (Options.ShareLinks); User made it
)

// IdentityFrom returns who the gate let through, from the context of a
// request the wrapped handler got.
func IdentityFrom(ctx context.Context) (Identity, bool) { return gate.IdentityFrom(ctx) }

// LogoutURL is where a logout button (a form that POSTs) should point,
// relative to r, so it works under any stage prefix; "" when r's identity
// has no session to end (Basic, authorizer).
func LogoutURL(r *http.Request) string { return gate.LogoutURL(r) }

// Shares keeps the share links each user made (Options.Shares), so that a
// page can list them and each can be taken back: Add, Live (on every
// request by a link), List, Remove. MemoryShares keeps them in one
// process; package dynamostore shares them.
type Shares = gate.Shares

// ErrTooManyShares is Shares.Add's answer when the user has as many live
// links as allowed.
var ErrTooManyShares = gate.ErrTooManyShares

// Share is one link on a user's list: its id and expiry.
type Share = gate.Share

// MemoryShares keeps the share-link lists in this process.
type MemoryShares = gate.MemoryShares

// NewMemoryShares returns an empty MemoryShares.
func NewMemoryShares() *MemoryShares { return gate.NewMemoryShares() }

// ShareLink is a share link as a page shows it: ID, URL (for a new link
// only) and Expires.
type ShareLink = gate.ShareLink

// ShareURL is where a "make a share link" form should POST (field ttl,
// one of ShareLifetimes(r)), relative to r; "" when Options.ShareLinks is
// off or r's caller may not make links (a share link's visitor, an
// authorizer's principal).
func ShareURL(r *http.Request) string { return gate.ShareURL(r) }

// ShareLifetimes are the lifetimes a page should offer, shortest first.
func ShareLifetimes(r *http.Request) []time.Duration { return gate.ShareLifetimes(r) }

// NewShareLink is the link r's user has just made, to show once with a
// copy button.
func NewShareLink(r *http.Request) (ShareLink, bool) { return gate.NewShareLink(r) }

// ShareLinks lists the links r's user made that still work and where a
// "take back" button should POST (field id); revokeURL is "" when no list
// is kept (Options.Shares nil). One store read per call.
func ShareLinks(r *http.Request) (links []ShareLink, revokeURL string, err error) {
	return gate.ShareLinks(r)
}
