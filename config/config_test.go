package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
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
			// No secret value may appear in an error message.
			for _, s := range []string{m["AUTH_PASSWORD"], m["SESSION_SECRET"], m["SESSION_SECRET_PREVIOUS"]} {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("error reveals a secret: %q", err)
				}
			}
			_ = c
		})
	}
}

func TestLoadDefaultsAndValues(t *testing.T) {
	c, err := Load(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionTTL != 12*time.Hour || c.Realm != "report" || c.LogLevel != slog.LevelInfo || c.ReportCSV != "" {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Load(env(map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret,
		"SESSION_TTL": "30m", "AUTH_REALM": "Sales", "LOG_LEVEL": "warn", "REPORT_CSV": "/var/task/r.csv"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionTTL != 30*time.Minute || c.Realm != "Sales" || c.LogLevel != slog.LevelWarn || c.ReportCSV != "/var/task/r.csv" {
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
	if c.ChallengeHeader != "X-WWW-Authenticate" || c.BrowserLogin != LoginPrompt || !c.TrustAuthorizer {
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
