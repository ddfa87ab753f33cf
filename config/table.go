//go:build dynamodb

package config

import (
	"context"
	"log/slog"

	"github.com/formgate/formgate/dynamostore"
)

// openTable puts the shared table's limiters, revocations and share-link
// lists in c.
func openTable(getenv func(string) string, table string, c *Config) error {
	store, db, err := dynamostore.FromEnv(getenv, table)
	if err != nil {
		return err
	}
	c.Table = &Table{
		Name:      table,
		SetLogger: func(l *slog.Logger) { store.Logger = l },
		Create:    func(ctx context.Context) error { return dynamostore.CreateTable(ctx, db, table) },
	}
	c.Options.Limiter = store.Limiter("addr", TableAddressBudget, TableWindow)
	c.Options.UserLimiter = store.Limiter("user", TableUserBudget, TableWindow)
	c.Options.DeviceLimiter = store.Limiter("device", TableDeviceBudget, TableDeviceWindow)
	c.Options.KnownAddresses = store
	c.Options.Revocations = store
	c.Options.Shares = store          // Load drops it when SHARE_LINKS=off
	c.Options.Tokens = store.Tokens() // Load drops it when TOKENS=off, replaces it with AUTH_TOKENS_FILE
	return nil
}
