package handlers

import "context"

// Identity is who the gate let through and how. A report handler mounted
// behind the gate reads it with IdentityFrom.
type Identity struct {
	User string
	// Via is how the user proved it: ViaSession (cookie), ViaForm (the login
	// form, this very request), ViaBasic (Authorization header) or
	// ViaAuthorizer (API Gateway's custom authorizer).
	Via string
}

// Ways an Identity can be proved.
const (
	ViaSession = "session"
	ViaForm    = "form"
	ViaBasic   = "basic"
	// ViaAuthorizer: a REST API custom authorizer checked the request
	// before it reached the function.
	ViaAuthorizer = "authorizer"
)

type identityKey struct{}

func withIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity the gate put in ctx.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
