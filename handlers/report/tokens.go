package report

import (
	"net/http"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/web"
)

// tokenView is the panel of tokens for scripts of r's page, from the
// gate's one answer about them (as any page behind the gate would read
// it); nil when r's caller may not make tokens (tokens off, a share
// link's visitor, a token).
func (rp *Report) tokenView(r *http.Request) *web.TokensView {
	s, ok := formgate.TokensFor(r)
	if !ok {
		return nil
	}
	v := &web.TokensView{MakeURL: s.MakeURL, RevokeURL: s.RevokeURL, MaxNameLen: s.MaxNameLen, ReadOnly: s.ReadOnly, ListError: s.ListErr != nil,
		Lifetimes: rp.tokenLabels.of(s.Lifetimes)}
	if s.New != nil {
		v.Made = &web.MadeToken{Token: s.New.Token, Name: s.New.Name, Expires: when(s.New.Expires)}
	}
	never := "never"
	if s.ReadOnly {
		never = "not recorded"
	}
	for _, t := range s.Tokens {
		v.Tokens = append(v.Tokens, web.ListedToken{ID: t.ID, Name: t.Name, Created: orDash(t.Created, "—"), Expires: when(t.Expires), LastUsed: orDash(t.LastUsed, never)})
	}
	return v
}

// orDash is when(t), or none for a zero time.
func orDash(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return when(t)
}

// tokensKey keys the rendered page by its token panel, as shareKey does,
// and reports false when the panel is this user's alone (a new token, a
// list) and the page must not be kept.
func tokensKey(v *web.TokensView) (key panelKey, keep bool) {
	switch {
	case v == nil:
		return panelKey{}, true
	case v.Made != nil || len(v.Tokens) > 0 || v.ListError:
		return panelKey{}, false
	case v.ReadOnly:
		return panelKey{on: true, readOnly: true}, true
	}
	return panelKey{on: true, make: v.MakeURL, revoke: v.RevokeURL}, true
}
