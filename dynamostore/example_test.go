package dynamostore_test

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/dynamostore"
)

// The gate's shared state in one table, as formgate's programs set it up
// with FORMGATE_TABLE: the failed-login budgets per client address and
// per user name (fixed windows, counted in one conditional write each),
// the logouts, and the share-link lists. Not run here: it needs a
// DynamoDB API (AWS, or dynalite locally: AWS_ENDPOINT_URL_DYNAMODB).
func Example() {
	store, db, err := dynamostore.FromEnv(os.Getenv, "formgate")
	if err != nil {
		log.Fatal(err) // the region or endpoint is not usable
	}
	store.Logger = slog.Default() // outages: one line when they start, one when they end
	if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		// Development only: a deployed function's stack makes the table.
		if err := dynamostore.CreateTable(context.Background(), db, "formgate"); err != nil {
			log.Fatal(err)
		}
	}
	g, err := formgate.New(formgate.Options{
		Checker:       formgate.PlainPassword("anna", os.Getenv("AUTH_PASSWORD")),
		SessionSecret: []byte(os.Getenv("SESSION_SECRET")),
		BasePath:      "/app",
		// The programs' budgets (package config): 10 failures per address
		// and 30 per user name in 10 minutes, in every container at once.
		Limiter:     store.Limiter("addr", 10, 10*time.Minute),
		UserLimiter: store.Limiter("user", 30, 10*time.Minute),
		// Logout ends the session in every container; "log out everywhere".
		Revocations: store,
		// Share links each user made, to list and take back everywhere.
		ShareLinks: true,
		Shares:     store,
	})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", g.Protect(http.NotFoundHandler()))
}
