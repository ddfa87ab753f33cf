package formgate

import (
	"net/http"
	"slices"
	"time"

	"github.com/formgate/formgate/internal/apitoken"
)

// What a page needs to offer tokens for scripts, read from the request
// the gate passed on, like SharingFor. formgate's own report uses it as
// any other page would.

// ScriptTokens is what a page needs to offer tokens for scripts to its
// caller.
type ScriptTokens struct {
	// MakeURL is where a "make a token" form POSTs, relative to the
	// request, with the fields name (1 to MaxNameLen characters) and ttl
	// (one of Lifetimes, as time.Duration.String gives it); "" when the
	// store is read-only.
	MakeURL string
	// Lifetimes are the lifetimes to offer, shortest first.
	Lifetimes []time.Duration
	// MaxNameLen is the longest name, in characters.
	MaxNameLen int
	// New is the token the caller has just made: after making one, the
	// browser is sent back to the base path, and this request carries it,
	// to be shown once (with a copy button). It is never shown again.
	New *NewToken
	// Tokens are the caller's tokens that still work, soonest to expire
	// first.
	Tokens []ListedToken
	// RevokeURL is where a "revoke" button POSTs, relative to the request,
	// with the field id; "" when the store is read-only.
	RevokeURL string
	// ReadOnly: the store makes and revokes none (FileTokens: whoever
	// deploys the site adds a line to the file, and removes it to revoke).
	ReadOnly bool
	// ListErr is set when the list could not be read (the gate has logged
	// the store's outage); the rest of ScriptTokens holds.
	ListErr error
}

// NewToken is a token just made, as a page shows it once.
type NewToken struct {
	ID, Name string
	// Token is the secret itself, for the script: shown once, kept by
	// no one but its maker.
	Token   string
	Expires time.Time
}

// ListedToken is a token on the caller's list: never the token itself.
type ListedToken struct {
	ID, Name string
	// Created is zero when not known (FileTokens), LastUsed for a token
	// never used (or a store that does not record it); it is accurate to
	// an hour.
	Created, Expires, LastUsed time.Time
}

// newToken is a token made just before, on its way to the page that
// shows it (shownOnce).
type newToken struct {
	made apitoken.Made
	shownOnce
}

// TokensFor is what the page answering r offers about tokens for
// scripts. ok is false when tokens are off (Options.Tokens nil) or r's
// caller may not make them (a share link's visitor, a token, an
// authorizer's principal). It reads the store once (the list).
func TokensFor(r *http.Request) (s ScriptTokens, ok bool) {
	p, ok := r.Context().Value(passedKey{}).(passed)
	if !ok || p.g.o.Tokens == nil || !mayMakeTokens(p.id) {
		return ScriptTokens{}, false
	}
	g := p.g
	s = ScriptTokens{Lifetimes: slices.Clone(g.tokenLifetimes), MaxNameLen: apitoken.MaxNameLen, ReadOnly: g.tokenWriter == nil}
	if !s.ReadOnly {
		s.MakeURL, s.RevokeURL = g.ref(r.URL.Path, g.routes+"tokens"), g.ref(r.URL.Path, g.routes+"tokens/revoke")
	}
	if p.token != nil {
		p.token.taken.Store(true)
		m := p.token.made
		s.New = &NewToken{ID: m.ID, Name: m.Name, Token: m.Token, Expires: m.Expires}
	}
	ctx, cancel := p.storeContext(r)
	defer cancel()
	list, err := g.o.Tokens.List(ctx, p.id.User)
	if err != nil {
		g.tokens.Failed(ctx, g.o.Logger, err)
		s.ListErr = err
		return s, true
	}
	g.tokens.OK(g.o.Logger)
	now := time.Now()
	for _, t := range list {
		if t.live(now) {
			s.Tokens = append(s.Tokens, ListedToken{ID: t.ID, Name: t.Name, Created: t.Created, Expires: t.Expires, LastUsed: t.LastUsed})
		}
	}
	slices.SortFunc(s.Tokens, func(a, b ListedToken) int { return a.Expires.Compare(b.Expires) })
	return s, true
}
