// Package webtest is what the tests that talk HTTP to a running server
// share: one request, read whole.
package webtest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Result is a response, read whole; URL is where the client ended up
// after following redirects.
type Result struct {
	Status int
	Header http.Header
	Body   string
	URL    string
}

// Do sends method target with body and header name/value pairs through c.
func Do(t testing.TB, c *http.Client, method, target, body string, header ...string) Result {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Result{resp.StatusCode, resp.Header, string(b), resp.Request.URL.String()}
}
