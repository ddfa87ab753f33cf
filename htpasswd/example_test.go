package htpasswd_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	formgate "github.com/formgate/formgate"
	"github.com/formgate/formgate/htpasswd"
)

// Users from a users file (user:hash lines, bcrypt or argon2id, as
// `go run ./cmd/hash-password USER` writes them) check the gate's
// passwords; a repeated right password is remembered, so a script's Basic
// on every request costs one hash check, not one each.
func Example() {
	bcrypt, _ := htpasswd.HashBcrypt("correct horse", 4) // cost 4 for the example; the command's default is 10
	users, err := htpasswd.Parse(strings.NewReader(
		"anna:" + bcrypt + "\n" +
			"bob:" + htpasswd.HashArgon2id("battery staple", htpasswd.DefaultArgon2) + "\n"))
	if err != nil {
		panic(err) // names the line and what is wrong with it, never a hash
	}
	g, _ := formgate.New(formgate.Options{
		Checker:       users,
		SessionSecret: []byte("a random secret of at least 32 bytes, from configuration"),
		Logger:        slog.New(slog.DiscardHandler),
	})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := formgate.IdentityFrom(r.Context())
		fmt.Fprint(w, id.User)
	})
	for _, c := range [][2]string{{"anna", "correct horse"}, {"bob", "battery staple"}, {"bob", "wrong"}} {
		r := httptest.NewRequest("GET", "/report", nil)
		r.SetBasicAuth(c[0], c[1])
		w := httptest.NewRecorder()
		g.Protect(app).ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String()[:min(4, w.Body.Len())])
	}
	// Output:
	// 200 anna
	// 200 bob
	// 401 401
}
