package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"io"
)

// ShareView is the report page's share-link panel: a form that makes a
// link, the link just made with a copy button, and the user's links with
// a button to take each back (only when a list is kept).
type ShareView struct {
	// MakeURL is where the form that makes a link posts, relative to the
	// page.
	MakeURL string
	// Lifetimes are the choices of the form, shortest first.
	Lifetimes []Lifetime
	// Made is the link just made, shown once; nil for none.
	Made *MadeLink
	// RevokeURL is where the buttons that take a link back post; "" when
	// no list is kept, and the page says that links cannot be taken back.
	RevokeURL string
	// Links are the user's links that still work.
	Links []ListedLink
	// ListError: the list could not be read (a store that is down).
	ListError bool
}

// Lifetime is one choice of the form: the field's value and its label.
type Lifetime struct{ Value, Label string }

// MadeLink is a new link: the URL to paste, and its expiry as shown.
type MadeLink struct{ URL, Expires string }

// ListedLink is a link on the user's list.
type ListedLink struct{ ID, Expires string }

// copyJS is the script, inlined into the page as is.
//
//go:embed copy.js
var copyJS string

// csp is the pages' Content-Security-Policy. The one script is allowed by
// the hash of the embedded file, computed at start, so the two cannot
// drift apart; nothing else may run.
var csp = "default-src 'none'; style-src 'unsafe-inline'; script-src " + scriptHash() +
	"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// scriptHash is the CSP source of the copy script: 'sha256-…'.
func scriptHash() string {
	sum := sha256.Sum256([]byte(copyJS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// NoticeView is a page that says one thing — why a share link does not
// open the report, say — with a link onwards.
type NoticeView struct {
	Heading, Message string
	Back, BackText   string // a relative link and its text; "" for none
	Style            string // replaces formgate's style sheet when set, as it is
}

// Notice writes a notice page.
func (p *Pages) Notice(w io.Writer, v NoticeView) error {
	return writePage(w, v.Heading, style(v.Style), v.write)
}
