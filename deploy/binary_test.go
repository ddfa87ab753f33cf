package deploy

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkRESTAPIs checks that s has n REST APIs, each with binaryMediaTypes
// */*: the report answers gzip, which travels base64, and a REST API
// turns it back into bytes only for a request whose first Accept type is
// a binary media type (browsers send text/html first). A Serverless
// Framework sets the API's BinaryMediaTypes; SAM sets it too (with the /
// written ~1, as SAM asks) and puts the types in the API's OpenAPI body,
// which both must then say.
func checkRESTAPIs(t *testing.T, s *stack, n int) {
	t.Helper()
	var apis int
	for name, r := range deployed(t, s.raw) {
		if r.Type != "AWS::ApiGateway::RestApi" {
			continue
		}
		apis++
		var types []string
		for _, v := range asList(r.Properties["BinaryMediaTypes"]) {
			types = append(types, strings.ReplaceAll(v.(string), "~1", "/"))
		}
		if !slices.Equal(types, []string{"*/*"}) {
			t.Errorf("%v: %s: BinaryMediaTypes %q, want [*/*]", s, name, types)
		}
		if body, ok := r.Properties["Body"]; ok {
			if got := asList(dig(body, "x-amazon-apigateway-binary-media-types")); !slices.Equal(got, []any{"*/*"}) {
				t.Errorf("%v: %s: the OpenAPI body's binary media types %q, want [*/*]", s, name, got)
			}
		}
	}
	if apis != n {
		t.Errorf("%v: %d REST APIs, want %d", s, apis, n)
	}
}

// TestArtifact opens the zips the templates deploy and checks that Lambda
// can run what is inside: an executable bootstrap for linux/arm64, and
// the users file (make build USERS=…) in each zip that reads it.
func TestArtifact(t *testing.T) {
	t.Parallel()
	dist := filepath.Join(staged(t), "dist")
	for _, z := range []string{"report.zip", "report-shared.zip", "authorizer.zip", "library.zip"} {
		zr, err := zip.OpenReader(filepath.Join(dist, z))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			if f.Name == "bootstrap" {
				checkBootstrap(t, z, f)
			}
		}
		if !slices.Contains(names, "bootstrap") {
			t.Errorf("%s: no bootstrap at the zip's root: %v", z, names)
		}
		if z != "library.zip" && !slices.Contains(names, "users.htpasswd") {
			t.Errorf("%s holds %v: no users.htpasswd", z, names)
		}
		// The tokens file (make build TOKENS_FILE=…) in the report's zips.
		if (z == "report.zip" || z == "report-shared.zip") && !slices.Contains(names, "tokens.txt") {
			t.Errorf("%s holds %v: no tokens.txt", z, names)
		}
	}
}

// A tokens file with a line formgate refuses (a token pasted in place of
// its hash) stops the build before anything is built, without the token.
func TestBuildChecksTokensFile(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs make build")
	}
	bad := filepath.Join(t.TempDir(), "tokens.txt")
	token := "fgt_" + strings.Repeat("A", 55)
	os.WriteFile(bad, []byte("Q0ktdGVzdC0x:anna:ci:"+token+":20991231T000000Z\n"), 0o600)
	cmd := exec.Command("make", "build", "DIST="+t.TempDir(), "TOKENS_FILE="+bad)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "line 1: it holds a token") || strings.Contains(string(out), "go build") || strings.Contains(string(out), token[4:]) {
		t.Fatalf("make build with a token in the file: %v\n%s", err, out)
	}
}

func checkBootstrap(t *testing.T, zipName string, f *zip.File) {
	t.Helper()
	if f.Mode()&0o111 == 0 {
		t.Errorf("%s: bootstrap mode %v: not executable", zipName, f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: bootstrap is not ELF: %v", zipName, err)
	}
	if ef.Machine != elf.EM_AARCH64 || ef.Class != elf.ELFCLASS64 || ef.Type != elf.ET_EXEC {
		t.Errorf("%s: bootstrap: machine %v class %v type %v, want AARCH64 ELF64 EXEC", zipName, ef.Machine, ef.Class, ef.Type)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: bootstrap is dynamically linked; provided.al2023 needs CGO_ENABLED=0", zipName)
		}
	}
}

// A users file with a line formgate refuses stops the build before
// anything is built, with the line and what to do.
func TestBuildChecksUsersFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make build: not in the -short lane")
	}
	t.Parallel()
	cmd := exec.Command("make", "build", "DIST="+t.TempDir(), "USERS=config/testdata/sha.htpasswd")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "line 1 (user \"anna\"): {SHA}") || strings.Contains(string(out), "go build") {
		t.Fatalf("make build with a {SHA} line: %v\n%s", err, out)
	}
}
