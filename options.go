package formgate

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"
)

// Options configure a Gate. A field left zero gets the default given in
// its comment; Checker and SessionSecret have none.
type Options struct {
	// Checker decides whether a user name and password are good. Required;
	// PlainPassword is the simplest.
	Checker Checker
	// SessionSecret keys the session cookie: its HMAC and AES keys are
	// derived from it. At least 32 bytes, and the same in every instance
	// (every Lambda container), or they reject each other's cookies.
	// Required.
	SessionSecret []byte
	// PreviousSessionSecret, during a rotation of SessionSecret, still
	// opens cookies made with the old secret until they expire.
	PreviousSessionSecret []byte
	// BasePath is the path the gate protects, with everything below it.
	// Default "/report". The session cookie's Path is the base path with
	// the front door's stage prefix in front.
	BasePath string
	// SessionTTL is how long a login lasts, however active: the absolute
	// lifetime of a session. Default 12h, at least 1m.
	SessionTTL time.Duration
	// SessionIdle ends a session that made no request for this long. 0
	// (the default) turns it off; at least 5m, since the cookie that
	// carries the time of the last request is renewed at most once a
	// minute (a Set-Cookie on every request would be waste).
	SessionIdle time.Duration
	// Realm names the Basic challenge and heads the login page. Default
	// "restricted" (formgate's report program: "report").
	Realm string
	// LoginTitle heads the login page in place of Realm, and names it in
	// the browser's tab ("Log in · LoginTitle"): an application's name.
	LoginTitle string
	// LoginCSS replaces formgate's style sheet on the gate's pages (the
	// login form, and the notices about share links): an application's
	// look. It is inlined in the page, as formgate's own is: the pages'
	// Content-Security-Policy allows inline styles and fetches nothing,
	// and a style sheet behind the gate could not be fetched before the
	// login anyway. Elements to style: form#login, its label, input,
	// button and p.error; main#notice.
	LoginCSS string
	// Limiter holds back client addresses (IPv6 per /64) that fail to log
	// in too often. Default NewMemoryLimiter(10, time.Minute): 10 failures
	// per address, then one a minute.
	Limiter Limiter
	// UserLimiter holds back guessing at one user name from many
	// addresses. Default NewMemoryLimiter(30, 20*time.Second): 30 failures
	// per user name, then one every 20 seconds — three times what one
	// address may, so that it takes several addresses, not one, to keep a
	// user's budget empty. A valid session cookie is never held back, nor
	// a device that logged in before (DeviceLimiter), nor an address the
	// user logged in from (KnownAddresses); other Basic and form logins of
	// that user are, while the budget is empty.
	UserLimiter Limiter
	// DeviceLimiter holds back failed logins per device: a browser that
	// logged in with the form carries a device cookie (a year), and its
	// later attempts for that user spend the device's budget instead of
	// UserLimiter's, so that guessing at a user name never locks out a
	// device its user logged in from (OWASP's device cookies). A device
	// whose budget is spent loses its standing and waits for the user's
	// budget like any other; a new password ends every device's standing.
	// Default NewMemoryLimiter(10, 24*time.Hour): 10 failures, then one a
	// day, so a stolen device cookie buys a thief little.
	DeviceLimiter Limiter
	// KnownAddresses remembers, for KnownFor (30 days), the client
	// addresses each user logged in from; a login from one of them is not
	// held back by UserLimiter (Limiter, per address, still applies), so a
	// script keeps working from its usual address while someone guesses at
	// its user name. Default NewMemoryKnownAddresses() (this process);
	// package dynamostore shares them.
	KnownAddresses KnownAddresses
	// Revocations, when set, makes logout end the session for every copy of
	// its cookie, and offers "log out everywhere" (RoutePrefix +
	// "logout-everywhere"). Nil: logout clears the cookie in that browser.
	// MemoryRevocations for one process; package dynamostore to share
	// them among Lambda containers.
	Revocations Revocations
	// ChallengeHeader carries the Basic challenge. Default
	// "WWW-Authenticate"; "X-WWW-Authenticate" for a CloudFront Lambda@Edge
	// function to rename (API Gateway would remap the real one).
	ChallengeHeader string
	// PromptBrowsers answers browsers without credentials with 401 and the
	// challenge, so they show their own prompt (the login form is the
	// body, shown if it is cancelled): for front doors that pass the
	// challenge on (ALB, CloudFront with the rename, a plain server).
	PromptBrowsers bool
	// TrustAuthorizer lets in the principal of a REST API custom
	// authorizer, which API Gateway ran before the function.
	TrustAuthorizer bool
	// ShareLinks lets users logged in with a password (a session or Basic)
	// make links that open BasePath for reading (ShareScope says how much
	// of it) without a password until they expire: POST RoutePrefix +
	// "share" (SharingFor gives a page what it needs). Off by default; formgate's
	// programs turn it on (SHARE_LINKS).
	ShareLinks bool
	// ShareScope is what a share link opens. Default ShareSubtree: GET
	// and HEAD of BasePath and everything below it but the gate's own
	// routes (an application's pages, its style sheets and scripts);
	// ShareBaseOnly: GET and HEAD of exactly BasePath, any query
	// (formgate's report: its page and its downloads).
	ShareScope ShareScope
	// ShareMaxTTL caps a share link's lifetime. The lifetimes offered are
	// 1 hour, 1 day and 7 days, those above the cap left out, and the cap
	// itself when it is none of them. Default 7 days; from 1m to 365 days.
	ShareMaxTTL time.Duration
	// Shares, when set, keeps a list of the links each user made: the page
	// can show them, and each can be taken back (RoutePrefix +
	// "share/revoke"), which ends it in every instance that shares the
	// store. Nil: no list; a link ends only at its expiry, when its maker's
	// password changes, or when SessionSecret does. MemoryShares for one
	// process; package dynamostore to share it among Lambda containers.
	Shares Shares
	// Tokens, when set, lets users logged in with a password (a session
	// or Basic) make named tokens for scripts, sent as Authorization:
	// Bearer fgt_… or X-Api-Key: fgt_…, that open BasePath and everything
	// below it but the gate's own routes for reading (GET and HEAD) until
	// they expire or are revoked: the caller is then Identity{User: the
	// maker, Via: ViaToken}. A TokenWriter makes and revokes them (POST
	// RoutePrefix + "tokens", + "tokens/revoke"; TokensFor gives a page
	// what it needs): MemoryTokens for one process, package dynamostore
	// for Lambda. FileTokens reads them from a file and is read-only.
	// A new password does not end a token, nor does "log out everywhere",
	// nor a new SessionSecret (only a token's SHA-256 is kept); removing
	// its user does. Nil: no tokens, and Authorization: Bearer is refused
	// as any header but Basic is.
	Tokens Tokens
	// TokenMaxTTL caps a token's lifetime. The page offers 30 days, 90
	// days and a year, those above the cap left out, and the cap itself
	// when it is none of them; a script may ask for any Go duration from
	// 1m to the cap. Default 365 days; from 1m to 730 days.
	TokenMaxTTL time.Duration
	// Logger gets one line per request and one per refusal; never a
	// password, cookie value or Authorization header. Default
	// slog.Default().
	Logger *slog.Logger
}

// ShareScope is what a share link opens (Options.ShareScope).
type ShareScope int

const (
	// ShareSubtree: GET and HEAD of the base path and everything below it,
	// except the gate's own routes.
	ShareSubtree ShareScope = iota
	// ShareBaseOnly: GET and HEAD of exactly the base path, any query.
	ShareBaseOnly
)

// Defaults of Options.
const (
	DefaultBasePath   = "/report"
	DefaultSessionTTL = 12 * time.Hour
	DefaultRealm      = "restricted"
	// DefaultShareMaxTTL is the longest share link when ShareMaxTTL is 0.
	DefaultShareMaxTTL = 7 * 24 * time.Hour
	// MaxShareMaxTTL is the longest ShareMaxTTL accepted: a link is a
	// password to the report for its whole life.
	MaxShareMaxTTL = 365 * 24 * time.Hour
	// DefaultTokenMaxTTL is the longest token when TokenMaxTTL is 0.
	DefaultTokenMaxTTL = 365 * 24 * time.Hour
	// MaxTokenMaxTTL is the longest TokenMaxTTL accepted: a token must
	// end, and two years is longer than most scripts live unchanged.
	MaxTokenMaxTTL = 2 * 365 * 24 * time.Hour
	// MinSecretLen is the shortest SessionSecret accepted: 32 bytes give
	// the key derivation at least 256 bits when the secret is random.
	MinSecretLen = 32
)

// OptionError is a problem with one field of Options. Programs that fill
// Options from elsewhere (package config, from the environment) use Field
// to name their own setting.
type OptionError struct {
	Field string // "SessionSecret"
	// Value is the field's value as shown in the message ("5s",
	// `"X-Auth"`), "" when it is not shown (never for a secret).
	Value   string
	Problem string // what is wrong and how to fix it
}

func (e *OptionError) Error() string {
	return "formgate: Options." + e.Name(e.Field)
}

// Name is the message with name in front: `name=value problem`.
func (e *OptionError) Name(name string) string {
	if e.Value != "" {
		name += "=" + e.Value
	}
	return name + " " + e.Problem
}

// withDefaults returns o with every zero field that has a default set.
func (o Options) withDefaults() Options {
	if o.BasePath == "" {
		o.BasePath = DefaultBasePath
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Realm == "" {
		o.Realm = DefaultRealm
	}
	if o.Limiter == nil {
		o.Limiter = NewMemoryLimiter(10, time.Minute)
	}
	if o.UserLimiter == nil {
		o.UserLimiter = NewMemoryLimiter(30, 20*time.Second)
	}
	if o.DeviceLimiter == nil {
		o.DeviceLimiter = NewMemoryLimiter(10, 24*time.Hour)
	}
	if o.KnownAddresses == nil {
		o.KnownAddresses = NewMemoryKnownAddresses()
	}
	if o.ChallengeHeader == "" {
		o.ChallengeHeader = "WWW-Authenticate"
	}
	if o.ShareMaxTTL == 0 {
		o.ShareMaxTTL = DefaultShareMaxTTL
	}
	if o.TokenMaxTTL == 0 {
		o.TokenMaxTTL = DefaultTokenMaxTTL
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Validate reports every problem of o (after defaults), each an
// *OptionError; nil when New would accept o. No message contains a
// secret.
func (o Options) Validate() error {
	o = o.withDefaults()
	var errs []error
	bad := func(field, value, problem string, args ...any) {
		errs = append(errs, &OptionError{Field: field, Value: value, Problem: fmt.Sprintf(problem, args...)})
	}
	if o.Checker == nil {
		bad("Checker", "", "is not set: set it to the check of user names and passwords, e.g. PlainPassword(user, password)")
	} else if v, ok := o.Checker.(validator); ok {
		if err := v.Validate(); err != nil {
			bad("Checker", "", "is not usable: %v", err)
		}
	}
	switch n := len(o.SessionSecret); {
	case n == 0:
		bad("SessionSecret", "", "is not set: set it to at least %d random bytes, e.g. the output of `openssl rand -base64 48`", MinSecretLen)
	case n < MinSecretLen:
		bad("SessionSecret", "", "is %d bytes long: it needs at least %d, e.g. the output of `openssl rand -base64 48`", n, MinSecretLen)
	}
	if n := len(o.PreviousSessionSecret); n > 0 && n < MinSecretLen {
		bad("PreviousSessionSecret", "", "is %d bytes long: it needs at least %d (or leave it unset)", n, MinSecretLen)
	}
	if p := o.BasePath; !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, "?#%*{}") {
		bad("BasePath", fmt.Sprintf("%q", p), "is not a clean absolute path: use one such as /report or /app (no trailing slash)")
	} else if strings.Contains(p+"/", RoutePrefix) {
		bad("BasePath", fmt.Sprintf("%q", p), "contains %s, which the gate keeps for its own routes", strings.Trim(RoutePrefix, "/"))
	}
	if o.SessionTTL < time.Minute {
		bad("SessionTTL", o.SessionTTL.String(), "is too short: use at least 1m")
	}
	if o.SessionIdle != 0 && o.SessionIdle < 5*time.Minute {
		bad("SessionIdle", o.SessionIdle.String(), "is too short: use at least 5m, or 0 to turn the idle timeout off")
	}
	if h := http.CanonicalHeaderKey(o.ChallengeHeader); h != "Www-Authenticate" && h != "X-Www-Authenticate" {
		bad("ChallengeHeader", fmt.Sprintf("%q", o.ChallengeHeader), "is not supported: use WWW-Authenticate, or X-WWW-Authenticate behind CloudFront with the Lambda@Edge rename")
	}
	if o.ShareMaxTTL < time.Minute || o.ShareMaxTTL > MaxShareMaxTTL {
		bad("ShareMaxTTL", o.ShareMaxTTL.String(), "is out of range: use from 1m to 8760h (365 days), or 0 for the default of 7 days")
	}
	if o.Shares != nil && !o.ShareLinks {
		bad("Shares", "", "is set but ShareLinks is off: turn ShareLinks on, or leave Shares nil")
	}
	if o.TokenMaxTTL < time.Minute || o.TokenMaxTTL > MaxTokenMaxTTL {
		bad("TokenMaxTTL", o.TokenMaxTTL.String(), "is out of range: use from 1m to 17520h (730 days), or 0 for the default of 365 days")
	}
	if o.ShareScope != ShareSubtree && o.ShareScope != ShareBaseOnly {
		bad("ShareScope", fmt.Sprint(int(o.ShareScope)), "is not a scope: use ShareSubtree or ShareBaseOnly")
	}
	if strings.ContainsAny(o.Realm, "\"\\\r\n") {
		bad("Realm", "", "must be free of quotes, backslashes and line breaks (it goes into a quoted header value)")
	}
	return errors.Join(errs...)
}
