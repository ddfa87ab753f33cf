// Package redact takes secrets out of what is logged. A share link
// carries its token in the path (BasePath/_formgate/share/TOKEN), and
// whoever reads a log line with it could open the report until the link
// expires; every line that logs a path — the gate's, the Lambda
// adapter's — logs Path(p) instead.
package redact

import "strings"

// shareRoute is the gate's share route below any base path (the gate's
// RoutePrefix + "share/"; kept here so that the Lambda adapter need not
// import the gate; the gate's TestShareLogsNoToken fails if they part).
const shareRoute = "/_formgate/share/"

// Token stands in for a token cut out of a path.
const Token = "[token]"

// Path is p with the token of a share link replaced by Token, and any
// token for scripts pasted into a path (they travel in headers, but a
// careless client may put one in the URL) too; other paths, and the
// share routes that carry no token, unchanged.
func Path(p string) string {
	p = scriptTokens(p)
	i := strings.Index(p, shareRoute)
	if i < 0 {
		return p
	}
	rest := p[i+len(shareRoute):]
	if rest == "" || rest == "revoke" {
		return p
	}
	return p[:i+len(shareRoute)] + Token
}

// scriptPrefix starts a token for scripts (the gate's internal/apitoken;
// kept here so that this package imports no other).
const scriptPrefix = "fgt_"

// scriptTokens is p with each fgt_ and the base64url characters after it
// replaced by Token.
func scriptTokens(p string) string {
	if !strings.Contains(p, scriptPrefix) {
		return p
	}
	var b strings.Builder
	for {
		i := strings.Index(p, scriptPrefix)
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		b.WriteString(p[:i])
		b.WriteString(Token)
		p = p[i+len(scriptPrefix):]
		p = p[len(p)-len(strings.TrimLeft(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")):]
	}
}
