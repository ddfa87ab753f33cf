package web

// The pages, written as templates/*.html say, byte for byte, escaped as
// html/template escapes each place (TestPagesAsTemplates holds the two
// together). They are written by hand rather than by html/template for
// size: text/template calls methods by name (reflect.Value.MethodByName),
// and once a program can do that the linker must keep every exported
// method of every type that reaches an interface — in report-shared.zip
// the whole S3 and DynamoDB clients, over 6 MB. Written here, a page
// also costs nothing to parse at a cold start.

// layout is the page around content (layout.html).
func layout(h *html, title, css string, content func(*html)) {
	h.raw("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
		"<meta name=\"robots\" content=\"noindex\">\n<title>")
	h.text(title)
	h.raw("</title>\n<style>")
	h.raw(css) // the embedded style sheet, as it is (template.CSS)
	h.raw("</style>\n</head>\n<body>\n")
	content(h)
	h.raw("\n</body>\n</html>\n")
}

// write is login.html's content.
func (v *LoginView) write(h *html) {
	h.raw("<main>\n\n<form id=\"login\" method=\"post\"")
	if v.Action != "" {
		h.raw(" action=\"")
		h.url(v.Action)
		h.raw("\"")
	}
	h.raw(">\n  <input type=\"hidden\" name=\"_formgate\" value=\"login\">\n  <h1>")
	h.text(v.Title)
	h.raw("</h1>\n  <p>Log in to continue.</p>\n  ")
	if v.Error != "" {
		h.raw("<p class=\"error\" role=\"alert\" id=\"login-error\">")
		h.text(v.Error)
		h.raw("</p>")
	}
	h.raw("\n  <label>User name\n" +
		"    <input name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required value=\"")
	h.text(v.Username)
	h.raw("\"")
	if v.Username == "" {
		h.raw(" autofocus")
	}
	h.raw(">\n  </label>\n  <label>Password\n" +
		"    <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required")
	if v.Username != "" {
		h.raw(" autofocus")
	}
	if v.Error != "" {
		h.raw(" aria-describedby=\"login-error\"")
	}
	h.raw(">\n  </label>\n  <button type=\"submit\">Log in</button>\n</form>\n</main>\n")
}

// write is notice.html's content.
func (v *NoticeView) write(h *html) {
	h.raw("<main id=\"notice\">\n<h1 id=\"notice-heading\">")
	h.text(v.Heading)
	h.raw("</h1>\n<p id=\"notice-text\">")
	h.text(v.Message)
	h.raw("</p>\n")
	if v.Back != "" {
		h.raw("<p><a id=\"notice-back\" href=\"")
		h.url(v.Back)
		h.raw("\">")
		h.text(v.BackText)
		h.raw("</a></p>")
	}
	h.raw("\n</main>\n")
}

// write is report.html's content.
func (v *ReportView) write(h *html) {
	h.raw("<main id=\"report\">\n<div class=\"bar\">\n  <h1 id=\"report-title\">")
	h.text(v.Title)
	h.raw("</h1>\n  ")
	if v.LogoutURL != "" {
		h.raw("<div class=\"logout\"><form method=\"post\" action=\"")
		h.url(v.LogoutURL)
		h.raw("\"><button type=\"submit\" id=\"logout\">Log out</button></form>\n  ")
		if v.LogoutEverywhereURL != "" {
			h.raw("<form method=\"post\" action=\"")
			h.url(v.LogoutEverywhereURL)
			h.raw("\"><button type=\"submit\" id=\"logout-everywhere\" class=\"secondary\">Log out everywhere</button></form>")
		}
		h.raw("</div>")
	}
	h.raw("\n</div>\n")
	v.Share.write(h)
	h.raw("\n")
	v.Tokens.write(h)
	h.raw("\n\n<p class=\"formats\">Download all ")
	h.int(v.Total)
	h.raw(" rows: <a href=\"?format=csv\">CSV</a> · <a href=\"?format=csv&amp;bom=1\">CSV for Excel</a> · <a href=\"?format=json\">JSON</a></p>\n")
	v.pager(h)
	h.raw("\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"report-title\" tabindex=\"0\">\n<table>\n  <caption>")
	h.text(v.Title)
	h.raw(" (")
	h.int(v.Total)
	h.raw(" rows")
	if v.Pages > 1 {
		h.raw("; rows ")
		h.int(v.First)
		h.raw("–")
		h.int(v.Last)
	}
	h.raw(")</caption>\n  <thead><tr>")
	for _, c := range v.Header {
		h.raw("<th scope=\"col\">")
		h.text(c)
		h.raw("</th>")
	}
	h.raw("</tr></thead>\n  <tbody>\n  ")
	for _, row := range v.Rows {
		h.raw("<tr>")
		for i, c := range row {
			if i == 0 {
				h.raw("<th scope=\"row\">")
				h.text(c)
				h.raw("</th>")
			} else {
				h.raw("<td>")
				h.text(c)
				h.raw("</td>")
			}
		}
		h.raw("</tr>\n  ")
	}
	h.raw("</tbody>\n</table>\n</div>\n")
	v.pager(h)
	h.raw("\n</main>\n")
}

// pager is report.html's pager: links to the first, previous, next and
// last page, and a form to go to any, when there is more than one.
func (v *ReportView) pager(h *html) {
	if v.Pages <= 1 {
		return
	}
	h.raw("<nav class=\"pager\" aria-label=\"Pages\">\n  ")
	if v.Page > 1 {
		h.raw("<a href=\"?page=1\" rel=\"first\">First</a> <a href=\"?page=")
		h.int(v.Page - 1)
		h.raw("\" rel=\"prev\" id=\"prev-page\">‹ Previous</a>")
	} else {
		h.raw("<span>First</span> <span>‹ Previous</span>")
	}
	h.raw("\n  <form method=\"get\" action=\"\"><label>Page <input type=\"number\" name=\"page\" min=\"1\" max=\"")
	h.int(v.Pages)
	h.raw("\" value=\"")
	h.int(v.Page)
	h.raw("\" aria-label=\"Page number\"></label> of ")
	h.int(v.Pages)
	h.raw(" <button type=\"submit\" class=\"secondary\">Go</button></form>\n  ")
	if v.Page < v.Pages {
		h.raw("<a href=\"?page=")
		h.int(v.Page + 1)
		h.raw("\" rel=\"next\" id=\"next-page\">Next ›</a> <a href=\"?page=")
		h.int(v.Pages)
		h.raw("\" rel=\"last\">Last</a>")
	} else {
		h.raw("<span>Next ›</span> <span>Last</span>")
	}
	h.raw("\n</nav>")
}

// write is share.html: the share panel, nothing when v is nil.
func (v *ShareView) write(h *html) {
	if v == nil {
		return
	}
	h.raw("<section id=\"share\" aria-labelledby=\"share-title\">\n<h2 id=\"share-title\">Share</h2>\n")
	if m := v.Made; m != nil {
		h.raw("<div class=\"made\">\n  <label for=\"share-link\">Anyone with this link can see the report until ")
		h.text(m.Expires)
		h.raw(":</label>\n  <div class=\"copy\"><input id=\"share-link\" readonly value=\"")
		h.text(m.URL)
		h.raw("\"><button type=\"button\" id=\"share-copy\" data-copy=\"share-link\">Copy</button></div>\n</div>\n<script>")
		h.raw(copyJS) // as it is (template.JS), allowed by its hash (csp)
		h.raw("</script>\n")
	}
	h.raw("<form method=\"post\" action=\"")
	h.url(v.MakeURL)
	h.raw("\" id=\"share-form\">\n  <label>A link that works for\n    <select name=\"ttl\" id=\"share-ttl\">")
	for _, l := range v.Lifetimes {
		h.raw("<option value=\"")
		h.text(l.Value)
		h.raw("\">")
		h.text(l.Label)
		h.raw("</option>")
	}
	h.raw("</select>\n  </label>\n  <button type=\"submit\" id=\"share-make\">Make a share link</button>\n</form>\n")
	switch {
	case v.RevokeURL == "":
		h.raw("<p class=\"note\" id=\"share-note\">A share link cannot be taken back: it works until it expires, or until your password changes.</p>\n")
	case v.ListError:
		h.raw("<p class=\"error\">Your links could not be listed just now; reload the page to try again.</p>\n")
	case len(v.Links) > 0:
		h.raw("<table id=\"share-links\">\n  <caption>Your share links that still work</caption>\n" +
			"  <thead><tr><th scope=\"col\">Link</th><th scope=\"col\">Expires</th><th scope=\"col\"><span class=\"hidden\">Take back</span></th></tr></thead>\n" +
			"  <tbody>\n  ")
		for _, l := range v.Links {
			h.raw("<tr><td><code>")
			h.text(l.ID)
			h.raw("</code></td><td>")
			h.text(l.Expires)
			h.raw("</td><td><form method=\"post\" action=\"")
			h.url(v.RevokeURL)
			h.raw("\"><input type=\"hidden\" name=\"id\" value=\"")
			h.text(l.ID)
			h.raw("\"><button type=\"submit\" class=\"secondary\">Take back</button></form></td></tr>\n  ")
		}
		h.raw("</tbody>\n</table>\n")
	}
	h.raw("</section>\n")
}

// write is tokens.html: the panel of tokens for scripts, nothing when v
// is nil.
func (v *TokensView) write(h *html) {
	if v == nil {
		return
	}
	h.raw("<section id=\"tokens\" aria-labelledby=\"tokens-title\">\n<h2 id=\"tokens-title\">Tokens for scripts</h2>\n" +
		"<p class=\"note\">A token lets a script read this report without your password: it sends <code>Authorization: Bearer</code> and the token, or <code>X-Api-Key:</code> and the token. A token only reads, and works until it expires or is revoked: a new password does not end it, and neither does “Log out everywhere”.</p>\n")
	if m := v.Made; m != nil {
		h.raw("<div class=\"made\">\n  <label for=\"token-value\">Your new token “")
		h.text(m.Name)
		h.raw("”, which works until ")
		h.text(m.Expires)
		h.raw(". Copy it now: it is not shown again.</label>\n  <div class=\"copy\"><input id=\"token-value\" readonly value=\"")
		h.text(m.Token)
		h.raw("\"><button type=\"button\" id=\"token-copy\" data-copy=\"token-value\">Copy</button></div>\n</div>\n<script>")
		h.raw(copyJS) // as it is (template.JS), allowed by its hash (csp)
		h.raw("</script>\n")
	}
	if v.MakeURL != "" {
		h.raw("<form method=\"post\" action=\"")
		h.url(v.MakeURL)
		h.raw("\" id=\"token-form\">\n  <label>Name <input name=\"name\" id=\"token-name\" required maxlength=\"")
		h.int(v.MaxNameLen)
		h.raw("\" placeholder=\"ci\"></label>\n  <label>Works for\n    <select name=\"ttl\" id=\"token-ttl\">")
		for _, l := range v.Lifetimes {
			h.raw("<option value=\"")
			h.text(l.Value)
			h.raw("\">")
			h.text(l.Label)
			h.raw("</option>")
		}
		h.raw("</select>\n  </label>\n  <button type=\"submit\" id=\"token-make\">Make a token</button>\n</form>\n")
	}
	switch {
	case v.ListError:
		h.raw("<p class=\"error\">Your tokens could not be listed just now; reload the page to try again.</p>\n")
	case len(v.Tokens) > 0:
		h.raw("<table id=\"token-list\">\n  <caption>Your tokens that still work</caption>\n" +
			"  <thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Created</th><th scope=\"col\">Expires</th><th scope=\"col\">Last used</th>")
		if v.RevokeURL != "" {
			h.raw("<th scope=\"col\"><span class=\"hidden\">Revoke</span></th>")
		}
		h.raw("</tr></thead>\n  <tbody>\n  ")
		for _, t := range v.Tokens {
			h.raw("<tr><td>")
			h.text(t.Name)
			h.raw(" <code>")
			h.text(t.ID)
			h.raw("</code></td><td>")
			h.text(t.Created)
			h.raw("</td><td>")
			h.text(t.Expires)
			h.raw("</td><td>")
			h.text(t.LastUsed)
			h.raw("</td>")
			if v.RevokeURL != "" {
				h.raw("<td><form method=\"post\" action=\"")
				h.url(v.RevokeURL)
				h.raw("\"><input type=\"hidden\" name=\"id\" value=\"")
				h.text(t.ID)
				h.raw("\"><button type=\"submit\" class=\"secondary\">Revoke</button></form></td>")
			}
			h.raw("</tr>\n  ")
		}
		h.raw("</tbody>\n</table>\n")
	}
	if v.ReadOnly {
		h.raw("<p class=\"note\" id=\"tokens-file-note\">Tokens here come from a file deployed with the site: whoever runs it makes them (<code>hash-password -token</code>), and revoking one means removing its line from the file and deploying again.</p>\n")
	}
	h.raw("</section>\n")
}
