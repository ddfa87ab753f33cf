package config

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

const secret = "0123456789abcdef0123456789abcdef-and-more"

func TestLoad(t *testing.T) {
	base := func() map[string]string {
		return map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw-value-xyz", "SESSION_SECRET": secret}
	}
	tests := []struct {
		name   string
		change map[string]string
		errs   []string // each must appear in the error; none means success
	}{
		{"minimal", nil, nil},
		{"all set", map[string]string{"SESSION_TTL": "90m", "AUTH_REALM": "Sales", "LOG_LEVEL": "debug", "REPORT_CSV": "x.csv"}, nil},
		{"nothing set", map[string]string{"AUTH_USERNAME": "", "AUTH_PASSWORD": "", "SESSION_SECRET": ""},
			[]string{"AUTH_USERNAME is not set", "AUTH_PASSWORD_HASH is not set", "SESSION_SECRET is not set"}},
		{"short secret", map[string]string{"SESSION_SECRET": "short-secret-value"}, []string{"SESSION_SECRET is 18 bytes long: it needs at least 32"}},
		{"short previous secret", map[string]string{"SESSION_SECRET_PREVIOUS": "tiny"}, []string{"SESSION_SECRET_PREVIOUS is 4 bytes"}},
		{"bad ttl", map[string]string{"SESSION_TTL": "twelve hours"}, []string{`SESSION_TTL="twelve hours" is not a Go duration`}},
		{"tiny ttl", map[string]string{"SESSION_TTL": "5s"}, []string{"SESSION_TTL=5s is too short"}},
		{"zero ttl", map[string]string{"SESSION_TTL": "0s"}, []string{"SESSION_TTL=0s is too short"}},
		{"odd challenge header", map[string]string{"CHALLENGE_HEADER": "X-Auth"}, []string{`CHALLENGE_HEADER="X-Auth" is not supported`}},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, []string{`LOG_LEVEL="loud"`}},
		{"colon in user", map[string]string{"AUTH_USERNAME": "a:b"}, []string{"AUTH_USERNAME contains ':'"}},
		{"quote in realm", map[string]string{"AUTH_REALM": `a"b`}, []string{"AUTH_REALM"}},
		{"share links off", map[string]string{"SHARE_LINKS": "off"}, nil},
		{"share links on, a day at most", map[string]string{"SHARE_LINKS": "on", "SHARE_MAX_TTL": "24h"}, nil},
		{"share links neither on nor off", map[string]string{"SHARE_LINKS": "sometimes"}, []string{`SHARE_LINKS="sometimes": use on or off`}},
		{"share ttl not a duration", map[string]string{"SHARE_MAX_TTL": "a week"}, []string{`SHARE_MAX_TTL="a week" is not a Go duration`}},
		{"share ttl too short", map[string]string{"SHARE_MAX_TTL": "30s"}, []string{"SHARE_MAX_TTL=30s is too short: use at least 1m"}},
		{"share ttl zero", map[string]string{"SHARE_MAX_TTL": "0"}, []string{"SHARE_MAX_TTL=0 is too short: use at least 1m; to turn share links off, set SHARE_LINKS=off"}},
		{"share ttl too long", map[string]string{"SHARE_MAX_TTL": "9000h"}, []string{"SHARE_MAX_TTL=9000h0m0s is out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			for k, v := range tt.change {
				m[k] = v
			}
			c, err := Load(env(m))
			if len(tt.errs) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				// What Load accepts, the gate accepts.
				if _, err := formgate.New(c.Options); err != nil {
					t.Fatalf("formgate.New refuses what Load accepted: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			// No secret value may appear in an error message, and the gate's
			// own field names do not either: the user sets variables.
			for _, s := range []string{m["AUTH_PASSWORD"], m["SESSION_SECRET"], m["SESSION_SECRET_PREVIOUS"], "Options."} {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains %q", err, s)
				}
			}
		})
	}
}

func TestLoadDefaultsAndValues(t *testing.T) {
	c, err := Load(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	// Unset variables leave the options zero: formgate.New's defaults apply.
	if c.Options.SessionTTL != 0 || c.Options.Realm != "" || c.LogLevel != slog.LevelInfo || c.ReportCSV != "" || c.Users != "anna" || len(c.Warnings) != 1 {
		t.Fatalf("defaults: %+v", c)
	}
	if u, ok, err := c.Options.Checker.Check(context.Background(), "anna", "pw"); !ok || err != nil || u.Name != "anna" {
		t.Fatalf("checker from AUTH_USERNAME and AUTH_PASSWORD refuses them: %v %v", ok, err)
	}
	if _, ok, _ := c.Options.Checker.Check(context.Background(), "anna", "other"); ok {
		t.Fatal("checker accepts a wrong password")
	}
	c, err = Load(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret,
		"SESSION_TTL": "30m", "AUTH_REALM": "Sales", "LOG_LEVEL": "warn", "REPORT_CSV": "/var/task/r.csv"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Options.SessionTTL != 30*time.Minute || c.Options.Realm != "Sales" || c.LogLevel != slog.LevelWarn || c.ReportCSV != "/var/task/r.csv" {
		t.Fatalf("values: %+v", c)
	}
}

func TestLoadFrontDoorOptions(t *testing.T) {
	m := map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret,
		"CHALLENGE_HEADER": "X-WWW-Authenticate", "BROWSER_LOGIN": "prompt", "TRUST_AUTHORIZER": "true"}
	c, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.Options.ChallengeHeader != "X-WWW-Authenticate" || !c.Options.PromptBrowsers || !c.Options.TrustAuthorizer {
		t.Fatalf("%+v", c)
	}
	m["CHALLENGE_HEADER"], m["BROWSER_LOGIN"], m["TRUST_AUTHORIZER"] = "X-Auth", "popup", "yes please"
	_, err = Load(env(m))
	for _, want := range []string{`CHALLENGE_HEADER="X-Auth"`, `BROWSER_LOGIN="popup"`, `TRUST_AUTHORIZER="yes please"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %s", err, want)
		}
	}
}

func TestLoadChecker(t *testing.T) {
	c, _, err := LoadChecker(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Check(context.Background(), "anna", "pw"); !ok {
		t.Fatal("checker refuses the configured credentials")
	}
	// The authorizer's zip holds the users file too (make build USERS=…).
	c, _, err = LoadChecker(env(map[string]string{"AUTH_USERS_FILE": "users.htpasswd", "LAMBDA_TASK_ROOT": "testdata"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Check(context.Background(), "bob", "bob's pässwörd"); !ok {
		t.Fatal("the authorizer's checker refuses a user of the bundled file")
	}
	if _, _, err := LoadChecker(env(map[string]string{"AUTH_USERNAME": "a:b"})); err == nil ||
		!strings.Contains(err.Error(), "AUTH_USERNAME contains ':'") || !strings.Contains(err.Error(), "AUTH_PASSWORD_HASH is not set") {
		t.Fatalf("err = %v", err)
	}
}

func TestReportSource(t *testing.T) {
	src, name, err := Config{}.ReportSource(context.Background(), os.Getenv)
	if err != nil || name != "sample.csv" {
		t.Fatalf("sample: %q %v", name, err)
	}
	data, _, err := src.Load(context.Background(), "")
	if err != nil || !strings.HasPrefix(string(data), "Region,") {
		t.Fatalf("sample: %v %.20q", err, data)
	}
	src, name, err = Config{ReportCSV: "testdata/none.csv"}.ReportSource(context.Background(), os.Getenv)
	if err != nil || name != "none.csv" {
		t.Fatalf("file: %q %v", name, err)
	}
	if _, _, err := src.Load(context.Background(), ""); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestReportRefresh(t *testing.T) {
	m := map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret}
	for v, want := range map[string]string{"": "1m0s", "0": "0s", "0s": "0s", "5m": "5m0s", "1s": "1s",
		"500ms": "REPORT_REFRESH=500ms is too short: use at least 1s, or 0 to read the report only at start", "soon": "not a Go duration", "-1m": "at least 1s"} {
		m["REPORT_REFRESH"] = v
		got := ""
		if c, err := Load(env(m)); err != nil {
			got = err.Error()
		} else {
			got = c.ReportRefresh.String()
		}
		if !strings.Contains(got, want) {
			t.Errorf("REPORT_REFRESH=%q: %s, want %s", v, got, want)
		}
	}
}

// Every way of naming users gives a Checker that knows them; more than
// one is an error; a bad line names its variable and line.
func TestLoadUsers(t *testing.T) {
	bob := "$2a$04$fNMZUV6S4PfmZvxBgibtrO8/TYHJy8QMGy6c.BkoJbz912MaEx10."
	for _, tt := range []struct {
		name     string
		env      map[string]string
		user     string // must check with password pass
		pass     string
		users    string
		warnings int
		err      string
	}{
		{"one hashed password", map[string]string{"AUTH_USERNAME": "bob", "AUTH_PASSWORD_HASH": bob}, "bob", "bob's pässwörd", "bob", 0, ""},
		{"user lines", map[string]string{"AUTH_USERS": "# team\nbob:" + bob + "\n\nzoë:$argon2id$v=19$m=1024,t=1,p=1$UoGEXzjxQwvEL1yowhPchg$wA6it+4iowfRQRB7qzRKrB5zEm37Wzck7NNMlaGZeMk\n"}, "zoë", "zoë secret", "2 from AUTH_USERS", 0, ""},
		{"user file", map[string]string{"AUTH_USERS_FILE": "testdata/users.htpasswd"}, "bob", "bob's pässwörd", "3 from AUTH_USERS_FILE", 0, ""},
		{"user file in the task root", map[string]string{"AUTH_USERS_FILE": "users.htpasswd", "LAMBDA_TASK_ROOT": "testdata"}, "anna", "correct horse", "3 from AUTH_USERS_FILE", 0, ""},
		{"plain password warns", map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw"}, "anna", "pw", "anna", 1, ""},
		{"two ways", map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "AUTH_PASSWORD_HASH": bob}, "", "", "", 0, "AUTH_PASSWORD_HASH and AUTH_PASSWORD are set: set only one"},
		{"bad hash", map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD_HASH": "{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M="}, "", "", "", 0, "AUTH_PASSWORD_HASH: {SHA} (SHA-1) hashes are refused: they are fast to guess; make one with `go run ./cmd/hash-password` (no user name)"},
		{"users joined by a space", map[string]string{"AUTH_USERS": "bob:" + bob + " anna:" + bob}, "", "", "", 0, "AUTH_USERS: line 1 (user \"bob\"): the hash has a space in it"},
		{"bad line", map[string]string{"AUTH_USERS": "bob:" + bob + "\nanna:plain"}, "", "", "", 0, "AUTH_USERS: line 2 (user \"anna\")"},
		{"bad file", map[string]string{"AUTH_USERS_FILE": "testdata/sha.htpasswd"}, "", "", "", 0, "AUTH_USERS_FILE: testdata/sha.htpasswd: line 1 (user \"anna\"): {SHA}"},
		{"missing file", map[string]string{"AUTH_USERS_FILE": "testdata/nothing"}, "", "", "", 0, "AUTH_USERS_FILE: open testdata/nothing: no such file or directory; on Lambda, bundle it with `make build USERS=path/to/nothing`"},
		{"a hash that is two", map[string]string{"AUTH_USERNAME": "bob", "AUTH_PASSWORD_HASH": bob + "\nmallory:" + bob}, "", "", "", 0, "AUTH_PASSWORD_HASH holds more than one hash"},
		{"user name beside a list", map[string]string{"AUTH_USERNAME": "admin", "AUTH_USERS_FILE": "testdata/users.htpasswd"}, "", "", "", 0, "AUTH_USERNAME is set beside a user list"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["SESSION_SECRET"] = secret
			c, err := Load(env(tt.env))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Users != tt.users || len(c.Warnings) != tt.warnings {
				t.Errorf("Users %q, warnings %q", c.Users, c.Warnings)
			}
			if _, ok, err := c.Options.Checker.Check(context.Background(), tt.user, tt.pass); !ok || err != nil {
				t.Errorf("%s with the right password refused: %v", tt.user, err)
			}
			if _, ok, _ := c.Options.Checker.Check(context.Background(), tt.user, tt.pass+"x"); ok {
				t.Errorf("%s with a wrong password accepted", tt.user)
			}
		})
	}
}

func TestLoadSessionIdle(t *testing.T) {
	m := map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret, "SESSION_IDLE": "30m"}
	c, err := Load(env(m))
	if err != nil || c.Options.SessionIdle != 30*time.Minute {
		t.Fatalf("%v %v", c.Options.SessionIdle, err)
	}
	for v, want := range map[string]string{"soon": `SESSION_IDLE="soon" is not a Go duration`, "1m": "SESSION_IDLE=1m0s is too short"} {
		m["SESSION_IDLE"] = v
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SESSION_IDLE=%s: %v", v, err)
		}
	}
}

// Share links are on unless SHARE_LINKS=off; SHARE_MAX_TTL caps them.
func TestLoadShareLinks(t *testing.T) {
	for _, tt := range []struct {
		env map[string]string
		on  bool
		max time.Duration
	}{
		{map[string]string{}, true, 0},
		{map[string]string{"SHARE_LINKS": "off"}, false, 0},
		{map[string]string{"SHARE_LINKS": "OFF"}, false, 0},
		{map[string]string{"SHARE_LINKS": "on", "SHARE_MAX_TTL": "1h"}, true, time.Hour},
		{map[string]string{"SHARE_LINKS": "true"}, true, 0},
	} {
		m := map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret}
		for k, v := range tt.env {
			m[k] = v
		}
		c, err := Load(env(m))
		if err != nil || c.Options.ShareLinks != tt.on || c.Options.ShareMaxTTL != tt.max || c.Options.Shares != nil {
			t.Errorf("%v: ShareLinks %v, ShareMaxTTL %v, Shares %v, err %v; want %v, %v, no list (the program decides)", tt.env, c.Options.ShareLinks, c.Options.ShareMaxTTL, c.Options.Shares, err, tt.on, tt.max)
		}
	}
}
