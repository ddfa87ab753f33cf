package web

// TokensView is the report page's panel of tokens for scripts: a form
// that makes one, the token just made with a copy button, and the user's
// tokens with a button to revoke each; for tokens read from a file, the
// list and how to make and revoke them.
type TokensView struct {
	// MakeURL is where the form that makes a token posts, relative to the
	// page; "" for tokens read from a file (no form).
	MakeURL string
	// Lifetimes are the choices of the form, shortest first.
	Lifetimes []Lifetime
	// MaxNameLen is the longest name, in characters.
	MaxNameLen int
	// Made is the token just made, shown once; nil for none.
	Made *MadeToken
	// RevokeURL is where the revoke buttons post; "" for none.
	RevokeURL string
	// Tokens are the user's tokens that still work.
	Tokens []ListedToken
	// ReadOnly: the tokens come from a file deployed with the site.
	ReadOnly bool
	// ListError: the list could not be read (a store that is down).
	ListError bool
}

// MadeToken is a new token: the token itself, its name and expiry as
// shown.
type MadeToken struct{ Token, Name, Expires string }

// ListedToken is a token on the user's list, its times as shown.
type ListedToken struct{ ID, Name, Created, Expires, LastUsed string }
