// Package basepath carries the public path prefix of a request (an API
// Gateway stage such as "/dev") from the front door that knows it to the
// handlers that need it for cookie paths. Links and redirects stay relative
// and never need it; a cookie's Path attribute cannot be relative.
package basepath

import "context"

type key struct{}

// With returns ctx carrying prefix, which is "" or starts with "/" and has
// no trailing slash.
func With(ctx context.Context, prefix string) context.Context {
	return context.WithValue(ctx, key{}, prefix)
}

// From returns the prefix carried by ctx, or "" when there is none (the
// local server, a $default stage, a Function URL, ALB).
func From(ctx context.Context) string {
	p, _ := ctx.Value(key{}).(string)
	return p
}
