// Package config holds formgate's one configuration struct. It is filled
// from the environment by the programs in cmd/ and validated once at start,
// so a misconfigured function fails at init with a message that names the
// variable, instead of failing on the first request.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MinSecretLen is the shortest SESSION_SECRET accepted. 32 bytes gives the
// HKDF input at least 256 bits when the secret is random.
const MinSecretLen = 32

// Config is everything formgate needs to run. Programs build it with Load;
// tests build it directly.
type Config struct {
	// Username and Password are the one account that may see the report.
	Username string
	Password string
	// SessionSecret keys the session cookie. It must be the same in every
	// Lambda container, so it comes from configuration, never from a random
	// value made at start.
	SessionSecret []byte
	// PreviousSessionSecret, when set, still opens cookies made with the
	// old secret, so rotating SESSION_SECRET logs nobody out.
	PreviousSessionSecret []byte
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// Realm names the Basic challenge.
	Realm string
	// ReportCSV is the path of the CSV shown as the report; empty means the
	// sample embedded in web/.
	ReportCSV string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// ChallengeHeader names the header that carries the Basic challenge:
	// WWW-Authenticate (also when empty), or X-WWW-Authenticate for a
	// CloudFront Lambda@Edge function to rename (API Gateway would remap
	// the real one).
	ChallengeHeader string
	// BrowserLogin is what a browser without credentials gets: "form" (also
	// when empty: the login form, 200) or "prompt" (401 with the challenge, so the browser
	// shows its own prompt; the form is the body, shown if it is cancelled).
	BrowserLogin string
	// TrustAuthorizer lets a REST API custom authorizer's principal in
	// without asking again (the native-prompt variant).
	TrustAuthorizer bool
}

// Defaults for the optional settings.
const (
	DefaultTTL   = 12 * time.Hour
	DefaultRealm = "report"
)

// Browser login modes.
const (
	LoginForm   = "form"
	LoginPrompt = "prompt"
)

// Load reads the configuration through getenv (os.Getenv in main) and
// validates it. The error lists every problem found, each naming its
// variable and how to fix it; it never contains a secret's value.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Username:              getenv("AUTH_USERNAME"),
		Password:              getenv("AUTH_PASSWORD"),
		SessionSecret:         []byte(getenv("SESSION_SECRET")),
		PreviousSessionSecret: []byte(getenv("SESSION_SECRET_PREVIOUS")),
		SessionTTL:            DefaultTTL,
		Realm:                 DefaultRealm,
		ReportCSV:             getenv("REPORT_CSV"),
	}
	var errs []error
	if v := getenv("SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SESSION_TTL=%q is not a Go duration: use a value such as 12h or 90m", v))
		} else {
			c.SessionTTL = d
		}
	}
	if v := getenv("AUTH_REALM"); v != "" {
		c.Realm = v
	}
	if v := getenv("CHALLENGE_HEADER"); v != "" {
		c.ChallengeHeader = v
	}
	if v := getenv("BROWSER_LOGIN"); v != "" {
		c.BrowserLogin = v
	}
	if v := getenv("TRUST_AUTHORIZER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUST_AUTHORIZER=%q is not a boolean: use true or false", v))
		}
		c.TrustAuthorizer = b
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL=%q is not a level: use debug, info, warn or error", v))
		}
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// LoadCredentials reads and checks just AUTH_USERNAME and AUTH_PASSWORD,
// for the API Gateway authorizer, which needs no session.
func LoadCredentials(getenv func(string) string) (username, password string, err error) {
	username, password = getenv("AUTH_USERNAME"), getenv("AUTH_PASSWORD")
	return username, password, errors.Join(validateCredentials(username, password)...)
}

func validateCredentials(username, password string) []error {
	var errs []error
	if username == "" {
		errs = append(errs, errors.New("AUTH_USERNAME is not set: set it to the user name people log in with"))
	} else if strings.ContainsRune(username, ':') {
		// RFC 7617: the user-id of Basic credentials cannot contain a colon.
		errs = append(errs, errors.New("AUTH_USERNAME contains ':': Basic credentials cannot carry a colon in the user name; choose another"))
	}
	if password == "" {
		errs = append(errs, errors.New("AUTH_PASSWORD is not set: set it to the password people log in with"))
	}
	return errs
}

// Validate checks a Config, however it was built.
func (c Config) Validate() error {
	errs := validateCredentials(c.Username, c.Password)
	switch n := len(c.SessionSecret); {
	case n == 0:
		errs = append(errs, fmt.Errorf("SESSION_SECRET is not set: set it to at least %d random bytes, e.g. the output of `openssl rand -base64 48`", MinSecretLen))
	case n < MinSecretLen:
		errs = append(errs, fmt.Errorf("SESSION_SECRET is %d bytes long: it needs at least %d, e.g. the output of `openssl rand -base64 48`", n, MinSecretLen))
	}
	if n := len(c.PreviousSessionSecret); n > 0 && n < MinSecretLen {
		errs = append(errs, fmt.Errorf("SESSION_SECRET_PREVIOUS is %d bytes long: it needs at least %d (or leave it unset)", n, MinSecretLen))
	}
	if c.SessionTTL < time.Minute {
		errs = append(errs, fmt.Errorf("SESSION_TTL=%s is too short: use at least 1m", c.SessionTTL))
	}
	if h := http.CanonicalHeaderKey(c.ChallengeHeader); h != "" && h != "Www-Authenticate" && h != "X-Www-Authenticate" {
		errs = append(errs, fmt.Errorf("CHALLENGE_HEADER=%q: use WWW-Authenticate, or X-WWW-Authenticate behind CloudFront with the Lambda@Edge rename", c.ChallengeHeader))
	}
	if c.BrowserLogin != "" && c.BrowserLogin != LoginForm && c.BrowserLogin != LoginPrompt {
		errs = append(errs, fmt.Errorf("BROWSER_LOGIN=%q: use form or prompt", c.BrowserLogin))
	}
	if c.Realm == "" || strings.ContainsAny(c.Realm, "\"\\\r\n") {
		errs = append(errs, errors.New(`AUTH_REALM must be non-empty and free of quotes, backslashes and line breaks`))
	}
	return errors.Join(errs...)
}
