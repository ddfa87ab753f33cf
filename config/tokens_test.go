package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/internal/apitoken"
)

// tokenLine is a line of a tokens file for user, expiring at exp.
func tokenLine(user string, exp time.Time) string {
	tok, id := apitoken.New()
	return apitoken.Line{ID: id, User: user, Name: "ci", Hash: apitoken.HashOf(tok), Expires: exp}.String() + "\n"
}

func TestLoadTokens(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tokens.txt")
	year := time.Now().Add(365 * 24 * time.Hour)
	os.WriteFile(good, []byte(tokenLine("anna", year)+tokenLine("ghost", year)+tokenLine("anna", time.Now().Add(-time.Hour))), 0o600)
	bad := filepath.Join(dir, "bad.txt")
	tok, _ := apitoken.New()
	os.WriteFile(bad, []byte("# tokens\n"+strings.Replace(tokenLine("anna", year), ":ci:", ":"+tok+":", 1)), 0o600)
	for _, tt := range []struct {
		name   string
		env    map[string]string
		on     bool
		file   bool
		max    time.Duration
		errs   []string
		warned []string
	}{
		{name: "default", on: true},
		{name: "off", env: map[string]string{"TOKENS": "off"}},
		{name: "neither", env: map[string]string{"TOKENS": "maybe"}, errs: []string{`TOKENS="maybe": use on or off`}},
		{name: "max", env: map[string]string{"TOKEN_MAX_TTL": "720h"}, on: true, max: 720 * time.Hour},
		{name: "max not a duration", env: map[string]string{"TOKEN_MAX_TTL": "a year"}, errs: []string{`TOKEN_MAX_TTL="a year" is not a Go duration`}},
		{name: "max too short", env: map[string]string{"TOKEN_MAX_TTL": "0"}, errs: []string{"TOKEN_MAX_TTL=0 is too short: use at least 1m; to turn tokens off, set TOKENS=off"}},
		{name: "max too long", env: map[string]string{"TOKEN_MAX_TTL": "20000h"}, errs: []string{"TOKEN_MAX_TTL=20000h0m0s is out of range"}},
		{name: "file", env: map[string]string{"AUTH_TOKENS_FILE": good}, on: true, file: true,
			warned: []string{`names user "ghost", who is not among the users`, "holds 1 expired token(s)"}},
		{name: "file in the task root", env: map[string]string{"AUTH_TOKENS_FILE": "tokens.txt", "LAMBDA_TASK_ROOT": dir}, on: true, file: true},
		{name: "file missing", env: map[string]string{"AUTH_TOKENS_FILE": "nope.txt", "LAMBDA_TASK_ROOT": dir}, errs: []string{"AUTH_TOKENS_FILE: open " + filepath.Join(dir, "nope.txt"), "make build TOKENS_FILE=path/to/nope.txt"}},
		{name: "file with a token", env: map[string]string{"AUTH_TOKENS_FILE": bad}, errs: []string{"line 2: it holds a token"}},
		{name: "file but off", env: map[string]string{"AUTH_TOKENS_FILE": good, "TOKENS": "off"}, errs: []string{"AUTH_TOKENS_FILE is set, but TOKENS=off"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": secret}
			for k, v := range tt.env {
				m[k] = v
			}
			c, err := Load(env(m))
			if len(tt.errs) > 0 {
				for _, want := range tt.errs {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("error %v lacks %q", err, want)
					}
				}
				if err != nil && strings.Contains(err.Error(), tok) {
					t.Errorf("the error holds the token: %v", err)
				}
				return
			}
			_, isFile := c.Options.Tokens.(*formgate.FileTokens)
			if err != nil || c.TokensOn != tt.on || isFile != tt.file || !tt.file && c.Options.Tokens != nil || c.Options.TokenMaxTTL != tt.max {
				t.Fatalf("TokensOn %v, Tokens %T, TokenMaxTTL %v, err %v", c.TokensOn, c.Options.Tokens, c.Options.TokenMaxTTL, err)
			}
			for _, w := range tt.warned {
				if !strings.Contains(strings.Join(c.Warnings, "\n"), w) {
					t.Errorf("warnings %q lack %q", c.Warnings, w)
				}
			}
			if _, err := formgate.New(c.Options); err != nil {
				t.Fatalf("formgate.New refuses what Load accepted: %v", err)
			}
		})
	}
}
