package formgate

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/formgate/formgate/internal/accept"
	"github.com/formgate/formgate/internal/frontdoor"
	"github.com/formgate/formgate/internal/session"
)

// wantsHTML tells a browser from a script: browsers name text/html in
// Accept and prefer it; scripts send */* or ask for data first
// ("application/json, text/html;q=0.5").
func wantsHTML(r *http.Request) bool {
	return accept.Prefers(r.Header.Values("Accept"), "text/html", "application/json", "text/csv")
}

// wantsJSON tells a JSON client (Accept: application/json, before any
// text): the gate's refusals are JSON for it.
func wantsJSON(r *http.Request) bool {
	return accept.Prefers(r.Header.Values("Accept"), "application/json", "text/html", "text/plain")
}

// authorization is the request's Authorization header, or, when there is
// none, the x-amzn-Remapped-Authorization that API Gateway is reported to
// hand the function instead (behind CloudFront).
func authorization(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		return h
	}
	return r.Header.Get(remappedAuthorization)
}

const remappedAuthorization = "X-Amzn-Remapped-Authorization"

// isForm reports a login form's content type: URL-encoded as browsers
// send it, or multipart as curl -F, FormData and HTTPie --multipart do.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// parseLoginForm reads a login form of either kind into r.PostForm, the
// body bounded by the caller. A multipart form's files are refused: a
// login has none.
func parseLoginForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return r.ParseForm()
	}
	if err := r.ParseMultipartForm(maxFormBytes); err != nil {
		return err
	}
	if r.MultipartForm != nil && len(r.MultipartForm.File) > 0 {
		r.MultipartForm.RemoveAll()
		return errors.New("a login form has no files")
	}
	return nil
}

// loginMarker is the hidden field of the gate's login form, so that the
// form is told from an application's own forms with the same field names.
const loginMarker = "_formgate"

// loginPost reports whether r posts the gate's own login form (which is
// URL-encoded). It reads
// at most maxFormBytes of a form body and puts back what it read, so an
// application's POST reaches it whole.
func loginPost(r *http.Request) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method != http.MethodPost || mt != "application/x-www-form-urlencoded" || r.Body == nil {
		return false
	}
	head, err := peekForm(r)
	if err != nil || len(head) > maxFormBytes {
		return false
	}
	v, err := url.ParseQuery(string(head))
	return err == nil && v.Get(loginMarker) == "login"
}

// peekForm reads up to maxFormBytes+1 of r's body and puts it back in
// front of the rest — with the read's error, if any, where the read
// stopped — so that whoever reads the body next gets it whole.
func peekForm(r *http.Request) (head []byte, err error) {
	head, err = io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), errReader{err}, r.Body), r.Body}
	return head, err
}

// errReader answers err where a read stopped; nothing (io.EOF) if none.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// sameURL is r's own URL as a relative reference, for the redirect after a
// form login: the browser lands where it logged in.
func sameURL(r *http.Request) string {
	ref := relativeRef(r.URL.Path, r.URL.Path)
	if r.URL.RawQuery != "" {
		ref += "?" + r.URL.RawQuery
	}
	return ref
}

// cookie builds the session cookie; maxAge -1 deletes it.
func (g *Gate) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	// The public path, stage prefix included, so the browser sends the
	// cookie to the protected paths and nowhere else.
	path := frontdoor.From(r.Context()).Prefix + g.o.BasePath
	if g.o.BasePath == "/" && path != "/" {
		path = strings.TrimSuffix(path, "/")
	}
	return &http.Cookie{
		Name:     session.CookieName,
		Value:    value,
		Path:     path,
		MaxAge:   maxAge,
		HttpOnly: true,                 // no script can read the session
		Secure:   !plainLoopback(r),    // browsers drop Secure cookies on plain http, except loopback use in development
		SameSite: http.SameSiteLaxMode, // sent on top-level navigation, not on cross-site subrequests or POSTs
	}
}

// plainLoopback reports a plain-http request to a loopback host: the only
// case where the cookie may go without Secure.
func plainLoopback(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientKey is the key of the request's client for the failed-login
// limit ("" when the front door gave no address): the front door's view of the client's address (API Gateway's
// sourceIp, ALB's X-Forwarded-For entry, the TCP peer locally), IPv4 as it
// is and IPv6 by its /64, since one host is commonly given a whole /64
// and could otherwise start afresh from each of its addresses.
func clientKey(r *http.Request) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		return "" // no address to key on
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "addr:" + host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "net:" + p.String()
	}
	return "addr:" + ip.String()
}

// userKey is the key of a typed user name for the per-user limit: hashed,
// so that a long name costs no more memory than a short one, and taken as
// typed (unknown names are limited too).
func userKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "user:" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// statusWriter remembers the status, for the request log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
