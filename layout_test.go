package formgate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/formgate/formgate"

// pkgImports is what go list says of one package: its path and what its
// non-test files import.
type pkgImports struct {
	ImportPath string
	Imports    []string
	Module     *struct{ Path string }
}

// layoutProblems says which imports break the layout's directions:
//   - a building block (internal/, not internal/testkit/) imports only the
//     standard library, third-party modules and other building blocks;
//   - nothing imports a package under cmd/ (the programs' side);
//   - handlers/ stand behind the gate and know nothing of how it is
//     configured (config) or served on Lambda (lambdaproxy, aws-lambda-go);
//   - only test harnesses import test harnesses (internal/testkit/):
//     tests may, the code that ships may not.
func layoutProblems(pkgs []pkgImports) []string {
	var out []string
	in := func(p, dir string) bool { return p == module+"/"+dir || strings.HasPrefix(p, module+"/"+dir+"/") }
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			own := imp == module || strings.HasPrefix(imp, module+"/")
			switch {
			case own && in(p.ImportPath, "internal") && !in(p.ImportPath, "internal/testkit") && (!in(imp, "internal") || in(imp, "internal/testkit")):
				out = append(out, p.ImportPath+": a building block imports "+imp)
			case own && in(imp, "cmd"):
				out = append(out, p.ImportPath+": imports the program package "+imp)
			case in(p.ImportPath, "handlers") && (imp == module+"/config" || imp == module+"/lambdaproxy" || strings.HasPrefix(imp, "github.com/aws/aws-lambda-go/")):
				out = append(out, p.ImportPath+": a handler imports "+imp)
			case own && in(imp, "internal/testkit") && !in(p.ImportPath, "internal/testkit"):
				out = append(out, p.ImportPath+": code that ships imports the test harness "+imp)
			}
		}
	}
	return out
}

// TestLayoutRules: the rules above catch each kind of wrong import.
func TestLayoutRules(t *testing.T) {
	for _, bad := range []pkgImports{
		{ImportPath: module + "/internal/table", Imports: []string{module + "/config"}},
		{ImportPath: module + "/internal/table", Imports: []string{module}},
		{ImportPath: module + "/internal/table", Imports: []string{module + "/internal/testkit/bigcsv"}},
		{ImportPath: module + "/config", Imports: []string{module + "/cmd/local"}},
		{ImportPath: module + "/handlers/report", Imports: []string{module + "/config"}},
		{ImportPath: module + "/handlers/report", Imports: []string{"github.com/aws/aws-lambda-go/events"}},
		{ImportPath: module + "/dynamostore", Imports: []string{module + "/internal/testkit/localaws"}},
	} {
		if len(layoutProblems([]pkgImports{bad})) != 1 {
			t.Errorf("%s importing %s: not caught", bad.ImportPath, bad.Imports)
		}
	}
	for _, good := range []pkgImports{
		{ImportPath: module + "/internal/table", Imports: []string{"strings", "github.com/gorilla/schema", module + "/internal/frontdoor"}},
		{ImportPath: module + "/internal/testkit/dynalitetest", Imports: []string{module + "/dynamostore", module + "/internal/testkit/localaws"}},
		{ImportPath: module + "/handlers/report", Imports: []string{module, module + "/internal/table", module + "/web"}},
		{ImportPath: module + "/cmd/local", Imports: []string{module + "/config", module + "/lambdaproxy"}},
	} {
		if p := layoutProblems([]pkgImports{good}); len(p) > 0 {
			t.Errorf("a right import refused: %v", p)
		}
	}
}

// TestLayout reads the module's packages with go list, with and without
// the build tags of the AWS binary, and checks their imports.
func TestLayout(t *testing.T) {
	for _, tags := range []string{"", "dynamodb,s3"} {
		cmd := exec.Command("go", "list", "-deps", "-json", "-tags", tags, "./...")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -tags %q: %v\n%s", tags, err, stderr.String())
		}
		var pkgs []pkgImports
		for d := json.NewDecoder(bytes.NewReader(out)); ; {
			var p pkgImports
			if err := d.Decode(&p); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			if p.Module != nil && p.Module.Path == module {
				pkgs = append(pkgs, p)
			}
		}
		if !slices.ContainsFunc(pkgs, func(p pkgImports) bool { return p.ImportPath == module+"/internal/table" }) {
			t.Fatalf("go list -tags %q: the module's packages are missing (%d read)", tags, len(pkgs))
		}
		for _, p := range layoutProblems(pkgs) {
			t.Errorf("-tags %q: %s", tags, p)
		}
	}
}
