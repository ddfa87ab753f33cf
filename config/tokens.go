package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	formgate "github.com/formgate/formgate"
)

// tokens sets up tokens for scripts: on unless TOKENS=off; from the file
// AUTH_TOKENS_FILE when it is set (read-only: on Lambda without a table,
// or by choice beside one), else the table's (openTable set them). The
// file's tokens of users the Checker does not know, and its expired
// ones, are warnings: they let no one in.
func tokens(getenv func(string) string, c *Config) error {
	file := getenv("AUTH_TOKENS_FILE")
	switch v := strings.ToLower(getenv("TOKENS")); v {
	case "", "on", "true", "1":
		c.TokensOn = true
	case "off", "false", "0":
		c.Options.Tokens = nil
		if file != "" {
			return errors.New("AUTH_TOKENS_FILE is set, but TOKENS=off: unset one of them")
		}
		return nil
	default:
		return fmt.Errorf("TOKENS=%q: use on or off", getenv("TOKENS"))
	}
	if file == "" {
		return nil
	}
	ft, err := formgate.ReadTokensFile(inTaskRoot(getenv, file))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("AUTH_TOKENS_FILE: %w; on Lambda, bundle it with `make build TOKENS_FILE=path/to/%s` (the zip holds it under its base name); locally a relative path is from the working directory", err, filepath.Base(file))
	}
	if err != nil {
		return fmt.Errorf("AUTH_TOKENS_FILE: %w; make a line with `go run ./cmd/hash-password -token NAME USER`", err)
	}
	c.Options.Tokens = ft
	if c.Options.Checker != nil {
		for _, u := range ft.Users() {
			// Lookup of a user list never fails: it is in memory.
			if _, ok, err := c.Options.Checker.Lookup(context.Background(), u); err == nil && !ok {
				c.Warnings = append(c.Warnings, fmt.Sprintf("AUTH_TOKENS_FILE names user %q, who is not among the users: their tokens are refused", u))
			}
		}
	}
	if n := ft.Expired(time.Now()); n > 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("AUTH_TOKENS_FILE holds %d expired token(s): remove their lines", n))
	}
	return nil
}
