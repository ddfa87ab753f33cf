// Package frontdoor carries what a Lambda front door knows about a request
// and a plain net/http handler cannot see, from the adapter that reads the
// event (package lambdaproxy) to the handlers:
//
//   - the public path prefix (an API Gateway stage such as "/dev"), for
//     cookie paths: links and redirects stay relative and never need it, but
//     a cookie's Path attribute cannot be relative;
//   - the principal an API Gateway authorizer let through, which only the
//     event (never a client's header) can carry.
package frontdoor

import "context"

// Info is what a front door tells the handlers.
type Info struct {
	// Prefix is "" or starts with "/" and has no trailing slash.
	Prefix string
	// Principal is the principalId of a REST API custom authorizer, or "".
	Principal string
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the Info carried by ctx; the zero Info when there is none
// (the local server).
func From(ctx context.Context) Info {
	i, _ := ctx.Value(key{}).(Info)
	return i
}
