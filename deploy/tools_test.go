package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tools these tests run, at the versions their findings were read
// with. make deps (scripts/deps.sh) installs them: the packagers with npm
// ci (package-lock.json), the Python ones with pip for the python3 on PATH.
// In CI a missing tool fails the test that needs it; elsewhere that test
// is skipped with what to run. Under -short nothing here runs: the unit
// lane packages, builds and translates nothing.

// A packager is a Serverless Framework that packages a serverless.yml
// offline, as `npx --no NAME package` runs it.
type packager struct {
	name    string // the npx command: node_modules/.bin/NAME
	version string // what NAME --version prints of its own version
}

var (
	// serverless@3, the last v3 (no fixes from its maker any more).
	serverlessV3 = packager{"serverless", "Framework Core: 3.40.0"}
	// osls, the community fork of v3. package.json installs it under the
	// name serverless-osls: npm links a bin that two packages claim to the
	// one whose folder sorts first, and osls claims serverless and sls
	// too; serverless < serverless-osls keeps those for serverless@3.
	// (packager.check holds npm to it.)
	osls = packager{"osls", "osls version: 4.3.1"}

	packagers = []packager{serverlessV3, osls}
)

var packagerChecks sync.Map // name → func() error, once per run

// need ends the test unless the packager is there: skipped under -short,
// failed in CI when it is missing or is not the pinned version, skipped
// elsewhere with what to run.
func (p packager) need(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skipf("packages with %s: not in the -short lane", p.name)
	}
	check, _ := packagerChecks.LoadOrStore(p.name, sync.OnceValue(p.check))
	if err := check.(func() error)(); err != nil {
		missing(t, "%s: %v", p.name, err)
	}
}

// check runs `npx --no -- NAME --version` (the -- keeps npx from taking
// --version for itself) and wants the pinned version.
func (p packager) check() error {
	if _, err := os.Stat(filepath.Join(root, "node_modules", ".bin", p.name)); err != nil {
		return fmt.Errorf("not installed (%v): run make deps (npm ci)", err)
	}
	cmd := exec.Command("npx", "--no", "--", p.name, "--version")
	cmd.Dir = root
	cmd.Env = toolEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), p.version) {
		return fmt.Errorf("npx --no -- %s --version: %v, want %q in:\n%s\nrun make deps (npm ci)", p.name, err, p.version, out)
	}
	return nil
}

// toolEnv is the environment the tools run in: this process's without
// any AWS setting (no credentials, profile or region from the machine: the
// tests never reach AWS), and the packagers quiet (no telemetry, no
// notifications, no update checks).
func toolEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "SLS_DEPRECATION_DISABLE=*", "NPM_CONFIG_UPDATE_NOTIFIER=false")
	return append(env, extra...)
}

// The Python tools, for the python3 on PATH: cfn-lint lints every
// template, aws-sam-translator turns deploy/sam/template.yaml into
// CloudFormation as `sam deploy` has it done.
const (
	cfnLintVersion       = "1.51.0"
	samTranslatorVersion = "1.110.0"
)

var pythonCheck = sync.OnceValue(func() error {
	out, err := exec.Command("python3", "-c",
		"import cfnlint.version, samtranslator; print(cfnlint.version.__version__, samtranslator.__version__)").CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if got := lines[len(lines)-1]; err != nil || got != cfnLintVersion+" "+samTranslatorVersion {
		py, _ := exec.LookPath("python3")
		return fmt.Errorf("python3 (%s) has no cfn-lint %s and aws-sam-translator %s (%v: %s): run make deps, which runs python3 -m pip install cfn-lint==%[2]s aws-sam-translator==%[3]s",
			py, cfnLintVersion, samTranslatorVersion, err, got)
	}
	return nil
})

// needPython ends the test unless cfn-lint and aws-sam-translator are
// there, as need does for a packager.
func needPython(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs cfn-lint and aws-sam-translator: not in the -short lane")
	}
	if err := pythonCheck(); err != nil {
		missing(t, "%v", err)
	}
}

// missing fails the test in CI (make deps installs every tool, so a
// missing one is a broken setup) and skips it elsewhere, saying why.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
