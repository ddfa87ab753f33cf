// Package basic reads Basic credentials (RFC 7617). The gate and the API
// Gateway authorizer both use it, so both accept exactly the same headers.
package basic

import (
	"encoding/base64"
	"strings"
)

// Parse reads Basic credentials from an Authorization header value. User
// names and passwords are taken as UTF-8 bytes, as sent.
func Parse(header string) (username, password string, ok bool) {
	const prefix = "Basic "
	// The scheme name is case-insensitive (RFC 9110 11.1).
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	username, password, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	return username, password, true
}
