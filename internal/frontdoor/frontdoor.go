// Package frontdoor carries what a Lambda front door knows about a request
// and a plain net/http handler cannot see, from the adapter that reads the
// event (package lambdaproxy) to the handlers:
//
//   - the public path prefix (an API Gateway stage such as "/dev"), for
//     cookie paths: links and redirects stay relative and never need it, but
//     a cookie's Path attribute cannot be relative;
//   - the principal an API Gateway authorizer let through, which only the
//     event (never a client's header) can carry;
//   - the most a response may carry through that door, so that a handler
//     can answer a clear 4xx instead of a reply the door turns into a 502.
package frontdoor

import (
	"context"
	"fmt"
)

// Info is what a front door tells the handlers.
type Info struct {
	// Prefix is "" or starts with "/" and has no trailing slash.
	Prefix string
	// Principal is the principalId of a REST API custom authorizer, or "".
	Principal string
	// MaxResponse is the most bytes of response event the door takes (the
	// event's JSON, body encoded in it); 0 means no limit (the local
	// server).
	MaxResponse int
}

// Response limits of the front doors, in bytes of response event.
const (
	// LambdaLimit: a synchronous invocation's response payload is at most
	// 6 MB (AWS's Runtime Interface Emulator refuses above 6 MiB with 502
	// Function.ResponseSizeTooLarge). API Gateway REST and HTTP APIs take
	// 10 MB and buffered Function URLs 6 MB: Lambda's limit binds first.
	LambdaLimit = 6 << 20
	// ALBLimit: an ALB takes at most 1 MB of response from a Lambda
	// target (read as 10^6 bytes, the safe side).
	ALBLimit = 1_000_000
)

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

// LimitText names a door's limit for people, in the answers that refuse
// what would pass it.
func LimitText(limit int) string {
	switch limit {
	case LambdaLimit:
		return "6 MB, Lambda's response limit"
	case ALBLimit:
		return "1 MB, an ALB's limit for a Lambda target"
	}
	return fmt.Sprintf("%.1f MB", float64(limit)/1e6)
}
