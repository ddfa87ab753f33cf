// Package config fills formgate's Options from environment variables, the
// way the programs in cmd/ (the local server, the Lambda function, the
// authorizer) and examples/library configure it. It is one way to fill the
// Options, not the only one: a Go program may build them directly.
//
// Every error names the variable and how to fix it, and none contains a
// secret, so a misconfigured Lambda function fails at init with a message
// that says what to change.
//
// Where Load's Options differ from formgate.Options' own defaults:
//
//	                 formgate.Options           Load (the programs)
//	ShareLinks       off                        on (SHARE_LINKS=off turns them off)
//	Limiter          10 per address, 1 a minute with FORMGATE_TABLE: 10 per address per 10 minutes, shared
//	UserLimiter      30 per user, 3 a minute    with FORMGATE_TABLE: 30 per user per 10 minutes, shared
//	DeviceLimiter    10 per device, 1 a day     with FORMGATE_TABLE: 10 per device per 10 days, shared
//	KnownAddresses   in memory                  with FORMGATE_TABLE: the table
//	Revocations      none                       with FORMGATE_TABLE: the table (cmd/local: in memory)
//	Shares           none                       with FORMGATE_TABLE: the table (cmd/local: in memory)
//	Tokens           none                       AUTH_TOKENS_FILE (read-only); else with FORMGATE_TABLE:
//	                                            the table (cmd/local: in memory); TOKENS=off: none
//	Realm            "restricted"               Config.Handler (the report): "report"
//	ShareScope       ShareSubtree               Config.Handler (the report): ShareBaseOnly
//
// Every other field is the variable's value, or formgate's default when it
// is unset.
package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/htpasswd"
)

// Config is what the formgate programs read from the environment.
type Config struct {
	// Options for formgate.New: Checker (AUTH_USERS, AUTH_USERS_FILE,
	// AUTH_USERNAME with AUTH_PASSWORD_HASH or AUTH_PASSWORD),
	// SessionSecret, PreviousSessionSecret, SessionTTL, SessionIdle, Realm,
	// ChallengeHeader, PromptBrowsers (BROWSER_LOGIN), TrustAuthorizer,
	// ShareLinks (SHARE_LINKS: on unless "off"), ShareMaxTTL, and with
	// FORMGATE_TABLE the table's Limiter, UserLimiter, Revocations and
	// Shares, TokenMaxTTL, and Tokens: the tokens file (AUTH_TOKENS_FILE),
	// else the table's. Logger is left to the program; so is a Shares or
	// Tokens of its own when there is no table (cmd/local keeps them in
	// memory).
	Options formgate.Options
	// TokensOn: tokens for scripts are not turned off (TOKENS): a program
	// without a table or file may keep them in memory (cmd/local).
	TokensOn bool
	// Users says who may log in, for a program to show: the user name, or
	// how many users came from where.
	Users string
	// Warnings are settings that work but should change (a password in
	// plain text), for the program to log at start.
	Warnings []string
	// ReportCSV is where the CSV the built-in report shows is: a path, or
	// an s3://bucket/key URL (REPORT_CSV); empty means the embedded
	// sample. ReportSource opens it.
	ReportCSV string
	// ReportRefresh is how often the report asks its source whether the
	// CSV changed (REPORT_REFRESH, default 60s; 0 turns it off).
	ReportRefresh time.Duration
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
	// Table is FORMGATE_TABLE, the DynamoDB table of shared state; nil
	// when unset. Its limiters and revocations are in Options already.
	Table *Table
}

// Table is the shared table as a program sees it, without the AWS SDK's
// types: a binary built without the dynamodb tag has no SDK in it at all
// (no package of it to initialise at every cold start).
type Table struct {
	Name string
	// SetLogger gives the store the program's logger, for its outages.
	SetLogger func(*slog.Logger)
	// Create makes the table if it is missing (development: cmd/local).
	Create func(context.Context) error
}

// Budgets of the shared limits (FORMGATE_TABLE): fixed windows, so they
// are counted in one conditional write; over ten minutes they come close
// to the in-process defaults (10 then one a minute; 30 then three a
// minute), with the burst spread over the window.
const (
	TableAddressBudget = 10
	TableUserBudget    = 30
	TableWindow        = 10 * time.Minute
	// A device's budget: 10 failures in 10 days, close to the in-process
	// default (10, then one a day).
	TableDeviceBudget = 10
	TableDeviceWindow = 240 * time.Hour
)

// Browser login modes (BROWSER_LOGIN).
const (
	LoginForm   = "form"
	LoginPrompt = "prompt"
)

// env names the variable behind each field of formgate.Options, for
// messages.
var variables = map[string]string{
	"SessionSecret":         "SESSION_SECRET",
	"PreviousSessionSecret": "SESSION_SECRET_PREVIOUS",
	"SessionTTL":            "SESSION_TTL",
	"SessionIdle":           "SESSION_IDLE",
	"Realm":                 "AUTH_REALM",
	"ChallengeHeader":       "CHALLENGE_HEADER",
	"ShareMaxTTL":           "SHARE_MAX_TTL",
	"TokenMaxTTL":           "TOKEN_MAX_TTL",
}

// Load reads the configuration through getenv (os.Getenv in main) and
// validates it. The error lists every problem found.
func Load(getenv func(string) string) (Config, error) {
	checker, users, warnings, errs := credentials(getenv)
	c := Config{
		Users:         users,
		Warnings:      warnings,
		ReportCSV:     getenv("REPORT_CSV"),
		ReportRefresh: DefaultReportRefresh,
		Options: formgate.Options{
			Checker:               checker,
			SessionSecret:         []byte(getenv("SESSION_SECRET")),
			PreviousSessionSecret: []byte(getenv("SESSION_SECRET_PREVIOUS")),
			Realm:                 getenv("AUTH_REALM"),
			ChallengeHeader:       getenv("CHALLENGE_HEADER"),
		},
	}
	if c.ReportCSV != "" && !isS3(c.ReportCSV) {
		c.ReportCSV = inTaskRoot(getenv, c.ReportCSV)
	}
	if table := getenv("FORMGATE_TABLE"); table != "" {
		if err := openTable(getenv, table, &c); err != nil {
			errs = append(errs, fmt.Errorf("FORMGATE_TABLE=%q: %w", table, err))
		}
	}
	for _, v := range []struct {
		duration
		into *time.Duration
	}{
		{duration{name: "SESSION_IDLE", example: "30m", zero: "turn it off"}, &c.Options.SessionIdle},
		{duration{name: "SESSION_TTL", example: "12h or 90m", min: time.Minute}, &c.Options.SessionTTL},
		// 0 would read as "the default" to the gate: refused rather than
		// give a week to an operator who meant none.
		{duration{name: "SHARE_MAX_TTL", example: "168h (7 days) or 24h", min: time.Minute, hint: "to turn share links off, set SHARE_LINKS=off"}, &c.Options.ShareMaxTTL},
		{duration{name: "REPORT_REFRESH", example: "60s or 5m", zero: "read the report only at start", min: time.Second}, &c.ReportRefresh},
		{duration{name: "TOKEN_MAX_TTL", example: "8760h (365 days) or 2160h", min: time.Minute, hint: "to turn tokens off, set TOKENS=off"}, &c.Options.TokenMaxTTL},
	} {
		if err := v.read(getenv, v.into); err != nil {
			errs = append(errs, err)
		}
	}
	switch v := getenv("BROWSER_LOGIN"); v {
	case "", LoginForm:
	case LoginPrompt:
		c.Options.PromptBrowsers = true
	default:
		errs = append(errs, fmt.Errorf("BROWSER_LOGIN=%q: use form or prompt", v))
	}
	if v := getenv("TRUST_AUTHORIZER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUST_AUTHORIZER=%q is not a boolean: use true or false", v))
		}
		c.Options.TrustAuthorizer = b
	}
	// Share links are on unless turned off: the programs offer them.
	switch v := strings.ToLower(getenv("SHARE_LINKS")); v {
	case "", "on", "true", "1":
		c.Options.ShareLinks = true
	case "off", "false", "0":
		c.Options.Shares = nil // the table's list, which nothing would read
	default:
		errs = append(errs, fmt.Errorf("SHARE_LINKS=%q: use on or off", getenv("SHARE_LINKS")))
	}
	if err := tokens(getenv, &c); err != nil {
		errs = append(errs, err)
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL=%q is not a level: use debug, info, warn or error", v))
		}
	}
	errs = append(errs, named(c.Options.Validate())...)
	return c, errors.Join(errs...)
}

// duration is a variable holding a Go duration: a value to show in
// errors, what 0 means where it means something (else 0 is refused), the
// least it may be (more exact ranges are Options.Validate's), and a hint
// for a value under it.
type duration struct {
	name, example, zero, hint string
	min                       time.Duration
}

// read sets *into from the variable when it is set.
func (v duration) read(getenv func(string) string, into *time.Duration) error {
	s := getenv(v.name)
	if s == "" {
		return nil
	}
	d, err := time.ParseDuration(s)
	zero := ""
	if v.zero != "" {
		zero = ", or 0 to " + v.zero
	}
	switch {
	case err != nil:
		return fmt.Errorf("%s=%q is not a Go duration: use a value such as %s%s", v.name, s, v.example, zero)
	case d == 0 && v.zero != "":
	case d <= 0 || d < v.min:
		least := "more than 0"
		if v.min > 0 {
			least = "at least " + strings.TrimSuffix(strings.TrimSuffix(v.min.String(), "0s"), "0m")
		}
		msg := fmt.Sprintf("%s=%s is too short: use %s%s", v.name, s, least, zero)
		if v.hint != "" {
			msg += "; " + v.hint
		}
		return errors.New(msg)
	}
	*into = d
	return nil
}

// named rewrites the gate's option errors in terms of the variables.
// Problems with the Checker are left out: credentials has reported them,
// by variable.
func named(err error) []error {
	if err == nil {
		return nil
	}
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var out []error
	for _, e := range list {
		oe, ok := e.(*formgate.OptionError)
		switch {
		case !ok:
			out = append(out, e)
		case oe.Field == "Checker":
		case variables[oe.Field] != "":
			out = append(out, errors.New(oe.Name(variables[oe.Field])))
		default:
			out = append(out, oe)
		}
	}
	return out
}

// LoadChecker reads and checks just the credentials, for the API Gateway
// authorizer, which needs no session.
func LoadChecker(getenv func(string) string) (formgate.Checker, []string, error) {
	checker, _, warnings, errs := credentials(getenv)
	return checker, warnings, errors.Join(errs...)
}

// credentials builds the Checker from whichever way of naming users is
// set — exactly one of AUTH_USERS, AUTH_USERS_FILE, AUTH_USERNAME with
// AUTH_PASSWORD_HASH, AUTH_USERNAME with AUTH_PASSWORD — and names it
// for a program to show.
func credentials(getenv func(string) string) (checker formgate.Checker, who string, warnings []string, errs []error) {
	username, password, hash := getenv("AUTH_USERNAME"), getenv("AUTH_PASSWORD"), getenv("AUTH_PASSWORD_HASH")
	users, file := getenv("AUTH_USERS"), getenv("AUTH_USERS_FILE")
	var set []string
	for _, v := range []struct{ name, value string }{
		{"AUTH_USERS", users}, {"AUTH_USERS_FILE", file}, {"AUTH_PASSWORD_HASH", hash}, {"AUTH_PASSWORD", password},
	} {
		if v.value != "" {
			set = append(set, v.name)
		}
	}
	switch {
	case len(set) > 1:
		return nil, "", nil, []error{fmt.Errorf("%s are set: set only one way of naming the users (a hash is safer than AUTH_PASSWORD)", strings.Join(set, " and "))}
	case username != "" && (users != "" || file != ""):
		return nil, "", nil, []error{errors.New("AUTH_USERNAME is set beside a user list (AUTH_USERS or AUTH_USERS_FILE), where it means nothing: unset it")}
	case users != "":
		u, err := htpasswd.Parse(strings.NewReader(users))
		if err != nil {
			return nil, "", nil, []error{fmt.Errorf("AUTH_USERS: %w", err)}
		}
		return u, fmt.Sprintf("%d from AUTH_USERS", u.Len()), nil, nil
	case file != "":
		u, err := htpasswd.ParseFile(inTaskRoot(getenv, file))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", nil, []error{fmt.Errorf("AUTH_USERS_FILE: %w; on Lambda, bundle it with `make build USERS=path/to/%s` (the zip holds it under its base name); locally a relative path is from the working directory", err, filepath.Base(file))}
		}
		if err != nil {
			return nil, "", nil, []error{fmt.Errorf("AUTH_USERS_FILE: %w", err)}
		}
		return u, fmt.Sprintf("%d from AUTH_USERS_FILE", u.Len()), nil, nil
	}
	if username == "" {
		errs = append(errs, errors.New("AUTH_USERNAME is not set: set it to the user name people log in with (or list users in AUTH_USERS or AUTH_USERS_FILE)"))
	} else if strings.ContainsRune(username, ':') {
		// RFC 7617: the user-id of Basic credentials cannot contain a colon.
		errs = append(errs, errors.New("AUTH_USERNAME contains ':': Basic credentials cannot carry a colon in the user name; choose another"))
	}
	switch {
	case hash != "" && strings.ContainsAny(hash, ":\n\r"):
		errs = append(errs, errors.New("AUTH_PASSWORD_HASH holds more than one hash (a ':' or a line break): give the hash of one password, or list users in AUTH_USERS"))
		return nil, "", nil, errs
	case hash != "":
		if err := htpasswd.CheckHash(hash); err != nil {
			errs = append(errs, fmt.Errorf("AUTH_PASSWORD_HASH: %w; make one with `go run ./cmd/hash-password` (no user name) and keep it in single quotes (on Lambda: the secret's password_hash)", err))
		}
		if len(errs) > 0 {
			return nil, "", nil, errs
		}
		u, err := htpasswd.Parse(strings.NewReader(username + ":" + hash))
		if err != nil {
			return nil, "", nil, []error{fmt.Errorf("AUTH_PASSWORD_HASH: %w", err)}
		}
		return u, username, nil, nil
	case password == "":
		errs = append(errs, errors.New("AUTH_PASSWORD_HASH is not set: set it to the hash of the password (go run ./cmd/hash-password), or AUTH_PASSWORD to the password"))
		return nil, "", nil, errs
	}
	warnings = append(warnings, "AUTH_PASSWORD holds the password in plain text: a hash is safer (AUTH_PASSWORD_HASH, made with go run ./cmd/hash-password)")
	return formgate.PlainPassword(username, password), username, warnings, errs
}

// inTaskRoot resolves a relative path against LAMBDA_TASK_ROOT, where
// Lambda unpacks the deployment zip (/var/task); elsewhere it stays
// relative to the working directory.
func inTaskRoot(getenv func(string) string, path string) string {
	if root := getenv("LAMBDA_TASK_ROOT"); root != "" && !filepath.IsAbs(path) {
		return filepath.Join(root, path)
	}
	return path
}
