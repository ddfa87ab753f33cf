//go:build dynamodb

package config

import (
	"testing"

	"github.com/formgate/formgate/dynamostore"
)

// FORMGATE_TABLE puts every store the gate has in the table, each limiter
// under its own name, so that all of them hold across containers: a
// store left in memory here would hold per container only, silently.
func TestLoadTable(t *testing.T) {
	c, err := Load(env(map[string]string{
		"AUTH_USERNAME": "anna", "AUTH_PASSWORD": "pw", "SESSION_SECRET": "0123456789abcdef0123456789abcdef",
		"FORMGATE_TABLE": "formgate", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Options
	for name, l := range map[string]any{"Limiter": o.Limiter, "UserLimiter": o.UserLimiter, "DeviceLimiter": o.DeviceLimiter} {
		if _, ok := l.(*dynamostore.Limiter); !ok {
			t.Errorf("%s is %T, want the table's", name, l)
		}
	}
	for name, s := range map[string]any{"Revocations": o.Revocations, "Shares": o.Shares, "KnownAddresses": o.KnownAddresses} {
		if _, ok := s.(*dynamostore.Store); !ok {
			t.Errorf("%s is %T, want the table", name, s)
		}
	}
	if o.Tokens == nil {
		t.Error("no tokens store with the table")
	}
}
