package config

import (
	"context"
	"log/slog"
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
			[]string{"AUTH_USERNAME is not set", "AUTH_PASSWORD is not set", "SESSION_SECRET is not set"}},
		{"short secret", map[string]string{"SESSION_SECRET": "short-secret-value"}, []string{"SESSION_SECRET is 18 bytes long: it needs at least 32"}},
		{"short previous secret", map[string]string{"SESSION_SECRET_PREVIOUS": "tiny"}, []string{"SESSION_SECRET_PREVIOUS is 4 bytes"}},
		{"bad ttl", map[string]string{"SESSION_TTL": "twelve hours"}, []string{`SESSION_TTL="twelve hours" is not a Go duration`}},
		{"tiny ttl", map[string]string{"SESSION_TTL": "5s"}, []string{"SESSION_TTL=5s is too short"}},
		{"zero ttl", map[string]string{"SESSION_TTL": "0s"}, []string{"SESSION_TTL=0s is too short"}},
		{"odd challenge header", map[string]string{"CHALLENGE_HEADER": "X-Auth"}, []string{`CHALLENGE_HEADER="X-Auth" is not supported`}},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, []string{`LOG_LEVEL="loud"`}},
		{"colon in user", map[string]string{"AUTH_USERNAME": "a:b"}, []string{"AUTH_USERNAME contains ':'"}},
		{"quote in realm", map[string]string{"AUTH_REALM": `a"b`}, []string{"AUTH_REALM"}},
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
	if c.Options.SessionTTL != 0 || c.Options.Realm != "" || c.LogLevel != slog.LevelInfo || c.ReportCSV != "" || c.Username != "anna" {
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
	c, err := LoadChecker(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Check(context.Background(), "anna", "pw"); !ok {
		t.Fatal("checker refuses the configured credentials")
	}
	if _, err := LoadChecker(env(map[string]string{"AUTH_USERNAME": "a:b"})); err == nil ||
		!strings.Contains(err.Error(), "AUTH_USERNAME contains ':'") || !strings.Contains(err.Error(), "AUTH_PASSWORD is not set") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadReport(t *testing.T) {
	data, name, err := Config{}.ReadReport()
	if err != nil || name != "sample.csv" || !strings.HasPrefix(string(data), "Region,") {
		t.Fatalf("sample: %q %v %.20q", name, err, data)
	}
	_, _, err = Config{ReportCSV: "testdata/none.csv"}.ReadReport()
	if err == nil || !strings.Contains(err.Error(), "REPORT_CSV: open testdata/none.csv") {
		t.Fatalf("missing file: %v", err)
	}
}
