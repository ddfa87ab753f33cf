package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tokenServers are the servers the token tests run against: the local
// server, the REST API emulation, and the REST API that hands
// Authorization to the function as x-amzn-Remapped-Authorization.
var tokenServers = []struct {
	name string
	args []string
}{{"local", nil}, {"rest-api", []string{"-gateway", "rest"}}, {"rest-api-remapped", []string{"-gateway", "rest", "-remap-authorization"}}}

// call makes one request of s and returns the status, a header's value
// and the body.
func call(t *testing.T, method, target string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := (&http.Client{CheckRedirect: noRedirect, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// newToken makes a token for anna with Basic credentials.
func newToken(t *testing.T, s *localServer, name string) (token, location string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/_formgate/tokens", strings.NewReader("name="+url.QueryEscape(name)+"&ttl=720h"))
	req.SetBasicAuth("anna", clientPassword)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	token = strings.TrimSpace(string(b))
	if resp.StatusCode != 201 || !strings.HasPrefix(token, "fgt_") {
		t.Fatalf("make a token: %d %s", resp.StatusCode, b)
	}
	return token, resp.Header.Get("Location")
}

// TestTokenClients runs every client block of docs/tokens.md, as
// written, against the local server, the REST API emulation, and the
// REST API that remaps Authorization; the server logs at debug level,
// and no token reaches its log.
func TestTokenClients(t *testing.T) {
	blocks := clientBlocks(t, "../../docs/tokens.md", "token-client")
	if len(blocks) < 6 {
		t.Fatalf("found %d token-client blocks in docs/tokens.md, want curl, curl-api-key, wget, python-requests, node, curl-make-revoke", len(blocks))
	}
	run := map[string][]string{
		"sh":     {tool(t, "bash"), "-euo", "pipefail", "-c"},
		"python": {"/usr/bin/python3", "-c"},
		"js":     {tool(t, "node"), "--input-type=module", "-e"},
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		run["python"] = []string{tool(t, "python3"), "-c"}
	}
	tool(t, "curl")
	tool(t, "wget")
	for _, server := range tokenServers {
		s := startLocal(t, server.args, "AUTH_USERNAME=anna", "AUTH_PASSWORD="+clientPassword, "SESSION_SECRET="+strings.Repeat("k", 32), "LOG_LEVEL=debug")
		var tokens []string
		for _, b := range blocks {
			t.Run(server.name+"/"+b.name, func(t *testing.T) {
				token, _ := newToken(t, s, b.name)
				tokens = append(tokens, token)
				argv := append(append([]string{}, run[b.lang]...), b.code)
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Dir = t.TempDir()
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "URL=" + s.URL, "FORMGATE_TOKEN=" + token,
					"FORMGATE_USER=anna", "FORMGATE_PASSWORD=" + clientPassword}
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "North") {
					t.Fatalf("%s: %v\n%s\nserver:\n%s", b.name, err, out, s.stderr)
				}
				if b.name == "curl-make-revoke" && !strings.HasSuffix(string(out), "\n401\n") {
					t.Fatalf("the token after its revocation:\n%s", out)
				}
			})
		}
		t.Run(server.name+"/log", func(t *testing.T) {
			logs := s.stderr.String()
			if !strings.Contains(logs, "level=DEBUG msg=login via=token user=anna") || !strings.Contains(logs, `msg="token revoked"`) {
				t.Fatalf("the debug log does not show the tokens at work:\n%s", logs)
			}
			for _, tok := range tokens {
				if strings.Contains(logs, tok[4:]) {
					t.Fatalf("a token in the log:\n%s", logs)
				}
			}
			if strings.Contains(logs, "fgt_") {
				t.Fatalf("fgt_ in the log:\n%s", logs)
			}
		})
	}
}

// The checks, over real HTTP, on each server: logged in with the
// form, a POST to report/_formgate/tokens with name=ci and ttl=720h is
// 201 with an fgt_ token; Bearer and X-Api-Key get the JSON; a POST with
// the token is 403; revoked by the id in Location, 401. Then a flood of
// wrong tokens from one address gets 429 after the address's budget, and
// the debug log holds no token.
func TestTokensDoneWhen(t *testing.T) {
	for _, server := range tokenServers {
		t.Run(server.name, func(t *testing.T) {
			s := startLocal(t, server.args, "AUTH_USERNAME=anna", "AUTH_PASSWORD="+clientPassword, "SESSION_SECRET="+strings.Repeat("k", 32), "LOG_LEVEL=debug")
			// Logged in with the form.
			status, h, _ := call(t, "POST", s.URL, map[string]string{"Accept": "text/html"}, url.Values{"username": {"anna"}, "password": {clientPassword}}.Encode())
			var session string
			for _, c := range (&http.Response{Header: h}).Cookies() {
				if c.Name == "formgate" {
					session = c.Name + "=" + c.Value
				}
			}
			if status != 303 || session == "" {
				t.Fatalf("form login: %d %v", status, h)
			}
			status, h, token := call(t, "POST", s.URL+"/_formgate/tokens", map[string]string{"Cookie": session}, "name=ci&ttl=720h")
			token = strings.TrimSpace(token)
			loc := h.Get("Location")
			prefix := strings.TrimPrefix(s.URL, "http://"+strings.Split(strings.TrimPrefix(s.URL, "http://"), "/")[0])
			if status != 201 || !strings.HasPrefix(token, "fgt_") || len(token) != 59 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") ||
				loc != prefix+"/_formgate/tokens/"+token[4:16] {
				t.Fatalf("make a token: %d %v %q (URL %s)", status, h, token, s.URL)
			}
			for _, hdr := range []map[string]string{{"Authorization": "Bearer " + token}, {"X-Api-Key": token}} {
				status, h, body := call(t, "GET", s.URL+"?format=json", hdr, "")
				if status != 200 || h.Get("Content-Type") != "application/json" || !strings.Contains(body, "North") {
					t.Fatalf("JSON with %v: %d %s", hdr, status, body)
				}
			}
			if status, _, _ := call(t, "POST", s.URL, map[string]string{"Authorization": "Bearer " + token}, "a=b"); status != 403 {
				t.Fatalf("POST with the token: %d", status)
			}
			id := loc[strings.LastIndexByte(loc, '/')+1:]
			if status, _, _ := call(t, "POST", s.URL+"/_formgate/tokens/revoke", map[string]string{"Cookie": session}, "id="+id); status != 204 {
				t.Fatalf("revoke: %d", status)
			}
			status, h, body := call(t, "GET", s.URL+"?format=json", map[string]string{"Authorization": "Bearer " + token, "Accept": "application/json"}, "")
			if status != 401 || !strings.Contains(body, `"error":"the token was revoked."`) {
				t.Fatalf("the revoked token: %d %v %s", status, h, body)
			}
			// A flood of wrong tokens from one address: 429 after 10.
			good, _ := newToken(t, s, "good")
			for i := range 14 {
				wrong := good[:20] + strings.Repeat("x", 39)
				status, h, _ := call(t, "GET", s.URL+"?format=json", map[string]string{"Authorization": "Bearer " + wrong}, "")
				if want := map[bool]int{true: 401, false: 429}[i < 10]; status != want || want == 429 && h.Get("Retry-After") == "" {
					t.Fatalf("wrong token %d: %d, want %d", i+1, status, want)
				}
			}
			if status, _, _ := call(t, "GET", s.URL+"?format=json", map[string]string{"X-Api-Key": good}, ""); status != 200 {
				t.Fatalf("the right token from the flooding address: %d", status)
			}
			logs := s.stderr.String()
			if strings.Count(logs, "fgt_") != 0 || strings.Contains(logs, token[4:]) || strings.Contains(logs, good[4:]) ||
				!strings.Contains(logs, "level=DEBUG") || !strings.Contains(logs, "token refused: too many failed attempts") {
				t.Fatalf("the log:\n%s", logs)
			}
		})
	}
}
