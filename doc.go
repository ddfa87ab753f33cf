// Package formgate puts a password in front of any http.Handler, in a way
// that works behind AWS API Gateway: browsers get an HTML login form and a
// signed, encrypted session cookie (API Gateway renames the
// WWW-Authenticate header, so their own prompt never shows), scripts send
// Basic credentials on every request.
//
//	g, err := formgate.New(formgate.Options{
//		Checker:       formgate.PlainPassword("anna", password),
//		SessionSecret: []byte(secret), // 32 bytes or more, the same in every instance
//		BasePath:      "/app",
//	})
//	if err != nil {
//		log.Fatal(err) // names every field that is wrong, never a secret
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8080", g.Protect(app)))
//
// New validates the Options once and fills in the defaults (see Options
// for each field's); Gate.Protect wraps a handler. Package htpasswd checks
// bcrypt and argon2id users, package dynamostore shares limits, logouts and
// share links among Lambda containers, package config fills Options from
// the environment variables formgate's own programs read.
//
// # What the wrapped handler sees
//
// Everything under Options.BasePath, the base path itself included, is
// protected; paths outside it get 404 from the gate, so route public paths
// (a health check) to other handlers in front of the gate. BasePath +
// RoutePrefix ("/_formgate/…") are the gate's own routes (logout, share
// links, tokens). The wrapped handler learns who logged in from IdentityFrom, and
// never sees the credentials: the Authorization header, a token's
// X-Api-Key and the session and share-link cookies are removed, and a
// script's form login arrives as a GET without its body.
//
// Every answer under the base path, the wrapped handler's included,
// carries Cache-Control: no-store (nothing behind a password is kept by a
// browser or a shared cache), X-Content-Type-Options: nosniff and
// Referrer-Policy: no-referrer (a share link's URL never leaves in a
// Referer).
//
// With Options.ShareLinks, a user logged in with a password can make a
// link that opens the protected pages for reading (GET and HEAD; with
// Options.ShareScope, everything below BasePath or BasePath alone) without
// a password until it expires: the caller is then
// Identity{User: the maker, Via: ViaShare}. A page offers them with
// SharingFor.
//
// With Options.Tokens, a user logged in with a password can make named
// tokens for scripts (fgt_…, sent as Authorization: Bearer or X-Api-Key)
// that open the protected pages for reading (GET and HEAD of BasePath
// and below) until they expire or are revoked, whatever becomes of the
// password: the caller is then Identity{User: the maker, Via: ViaToken}.
// A page offers them with TokensFor; scripts POST to RoutePrefix +
// "tokens".
//
// The gate's own answers suit who asks: browsers get pages (the login
// form, with Options.LoginTitle and LoginCSS for an application's look),
// JSON clients (Accept: application/json, before text/html) get
// {"error": "…", "status": N}, others plain text — each with the same
// status and headers (the Basic challenge, Retry-After).
//
// Things to know when writing the wrapped handler:
//   - After a form login a browser is sent back (303) to the URL it logged
//     in at, as a GET. The login form that answers a POST (an
//     application's form, sent without a session) posts the login to
//     BasePath instead, so the browser lands on a page that exists, not on
//     a GET of a POST-only URL; what was typed into the application's form
//     is not replayed. A script's form login below BasePath gets a 303 to
//     BasePath (at BasePath itself, the page straight away).
//   - Until a browser has a session, a POST with fields named username and
//     password is a login attempt; with a session, it reaches the handler
//     (the gate's own form has a hidden _formgate=login field, so it stays
//     a login and never reaches the handler).
//   - Paths with . or .. segments get 400: browsers never send them.
//   - Cross-site POSTs are refused (403) on every path under the base path,
//     with net/http's CrossOriginProtection.
//   - Behind an API Gateway stage the function's paths lack the stage
//     (/app, not /dev/app). Relative links and redirects need nothing;
//     package lambdaproxy puts the stage in front of a Location written as
//     an absolute path (http.Redirect, ServeMux's own redirects); for an
//     absolute link in a page, use PublicPath. Package localgateway runs a
//     handler behind an emulated API Gateway, to see it locally.
//   - The gate logs one line per request at Info to Options.Logger
//     (slog.Default() if nil), saying why when the status alone does not
//     (a path outside BasePath); pass a logger with a higher level to
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
package formgate
