package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// cfn-lint runs once per test run, over every template the tests make:
// each config packaged by each packager, with the docs' parameters and
// (configs with the report) with stageParams; what each deploy command in
// the docs makes; the SAM template's translations and the SAM template
// itself; and, to be refused, the root config and the SAM template with
// reportS3 written s3://bucket/key.

// cfn-lint judges Lambda runtimes against today's date: the Lambda@Edge
// function's nodejs22.x (examples/cloudfront) gets W2531 from 2027-04-30
// (deprecated), E2531 from 2027-06-01 (no new functions), E2533 from
// 2027-07-01 (no updates). TestCfnLint then fails, as it should: move the
// function to a runtime Lambda@Edge still creates (nodejs24.x).

// lintAllowed are the cfn-lint findings that stay, by config folder, for
// both packagers; each is why it is left. Every other finding, error or
// warning, fails TestCfnLint, and so does an entry here that cfn-lint no
// longer reports.
var lintAllowed = map[string][]string{
	// W3005, "obsolete DependsOn": the Serverless Framework (v3 and osls
	// alike) writes each HTTP API route DependsOn its integration, which
	// the route's Target already refers to. It is redundant, not wrong —
	// CloudFormation orders the two the same either way — and it is
	// generated: serverless.yml cannot remove a DependsOn (its
	// `extensions` only add to one).
	"examples/http-api": {
		"W3005 Resources/HttpApiRouteAnyReport/DependsOn",
		"W3005 Resources/HttpApiRouteAnyReportProxyVar/DependsOn",
	},
	// W3005 again: each method that has an authorizer DependsOn it as
	// well as naming it in AuthorizerId; generated, redundant, harmless.
	"examples/native-prompt": {
		"W3005 Resources/ApiGatewayMethodReportGet/DependsOn/0",
		"W3005 Resources/ApiGatewayMethodReportPost/DependsOn/0",
	},
}

// lintRefused is the one finding a reportS3 (ReportS3) of s3://bucket/key
// must get: the parameter's pattern refuses it, and CloudFormation refuses
// such a stack before it changes anything.
const lintRefused = "E2015 Parameters/ReportS3/Default"

// badReportS3 is reportS3 as an operator might write it by mistake.
const badReportS3 = "s3://my-bucket/exports/daily.csv"

type lintTarget struct {
	stack   *stack
	refused bool // must get lintRefused and nothing else
}

// lintRun is the run's one cfn-lint: findings ("RULE path/in/template")
// by template file.
type lintRun struct {
	targets  []lintTarget
	findings map[string][]string
}

// linted makes every target's template (in parallel, as many at once as
// slots allow) and runs cfn-lint on them all at once.
func linted(t *testing.T) *lintRun {
	t.Helper()
	for _, p := range packagers {
		p.need(t)
	}
	needPython(t)
	base := staged(t)
	run, err := lintAll(t, base)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

var (
	lintMu   sync.Mutex
	lintDone *lintRun
)

func lintAll(t *testing.T, base string) (*lintRun, error) {
	lintMu.Lock()
	defer lintMu.Unlock()
	if lintDone != nil {
		return lintDone, nil
	}
	type job struct {
		name    string
		refused bool
		make    func(t testing.TB) *stack
	}
	var jobs []job
	for _, p := range packagers {
		for _, dir := range append(slices.Clone(reportConfigs), "examples/library") {
			jobs = append(jobs, job{p.name + " " + dir, false, func(t testing.TB) *stack { return pkg(t, p, dir, docParams...) }})
		}
		for _, dir := range reportConfigs {
			jobs = append(jobs, job{p.name + " " + dir + " stageParams", false, func(t testing.TB) *stack { return pkg(t, p, dir, stageParams...) }})
		}
		jobs = append(jobs, job{p.name + " bad reportS3", true, func(t testing.TB) *stack { return pkg(t, p, ".", "username=anna", "reportS3="+badReportS3) }})
	}
	for _, c := range docCommands(t) {
		jobs = append(jobs, job{c.where, false, c.stack})
	}
	jobs = append(jobs,
		job{"sam", false, func(t testing.TB) *stack { return sam(t, "UserName=anna") }},
		job{"sam samStageParams", false, func(t testing.TB) *stack { return sam(t, samStageParams...) }},
		job{"sam bad ReportS3", true, func(t testing.TB) *stack { return sam(t, "UserName=anna", "ReportS3="+badReportS3) }},
		// The SAM template as written: cfn-lint runs the transform itself.
		job{samTemplate, false, func(testing.TB) *stack {
			return &stack{tool: "cfn-lint's own SAM transform", dir: "deploy/sam", file: filepath.Join(base, samTemplate)}
		}},
	)
	run := &lintRun{targets: make([]lintTarget, len(jobs))}
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			// pkg and sam end a test on failure: run them in a test of their
			// own, whose failure is this one's.
			t.Run("make "+j.name, func(t *testing.T) {
				run.targets[i] = lintTarget{j.make(t), j.refused}
			})
		})
	}
	wg.Wait()
	if t.Failed() {
		return nil, fmt.Errorf("a template could not be made")
	}
	var files []string
	for _, tg := range run.targets {
		files = append(files, tg.stack.file)
	}
	findings, err := cfnLint(base, files)
	if err != nil {
		return nil, err
	}
	run.findings = findings
	lintDone = run
	return run, nil
}

// cfnLint runs cfn-lint (the python3 on PATH's) on files, for the regions
// the configs deploy to, and returns its findings by file.
func cfnLint(dir string, files []string) (map[string][]string, error) {
	args := append([]string{"-c", "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())",
		"--format", "json", "--regions", "eu-west-1", "us-east-1", "--"}, files...)
	cmd := exec.Command("python3", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := run(fmt.Sprintf("cfn-lint (%d templates)", len(files)), cmd.Output) // exits non-zero when it finds anything: read the JSON
	var found []struct {
		Filename string
		Level    string
		Message  string
		Rule     struct{ Id string }
		Location struct{ Path []any }
	}
	if jerr := json.Unmarshal(out, &found); jerr != nil {
		return nil, fmt.Errorf("cfn-lint: %v, output not JSON (%v):\n%s\n%s", err, jerr, out, stderr.String())
	}
	byFile := map[string][]string{}
	for _, f := range found {
		var path []string
		for _, p := range f.Location.Path {
			path = append(path, fmt.Sprint(p))
		}
		name := f.Filename
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		byFile[name] = append(byFile[name], fmt.Sprintf("%s %s", f.Rule.Id, strings.Join(path, "/"))+"\x00"+f.Message)
	}
	return byFile, nil
}

// TestCfnLint: 0 errors on every template, and no warning but those
// lintAllowed justifies.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	run := linted(t)
	stale := map[string]bool{}
	for dir, allowed := range lintAllowed {
		for _, a := range allowed {
			stale[dir+" "+a] = true
		}
	}
	for _, tg := range run.targets {
		if tg.refused {
			continue
		}
		var got []string
		for _, f := range run.findings[tg.stack.file] {
			id, msg, _ := strings.Cut(f, "\x00")
			if slices.Contains(lintAllowed[tg.stack.dir], id) {
				delete(stale, tg.stack.dir+" "+id)
				continue
			}
			got = append(got, id+": "+msg)
		}
		if len(got) > 0 {
			t.Errorf("%v: cfn-lint:\n%s", tg.stack, strings.Join(got, "\n"))
		}
	}
	for a := range stale {
		t.Errorf("lintAllowed: %s is no longer reported: take it out", a)
	}
}

// A reportS3 given as s3://bucket/key is refused where the template can
// refuse it: by the ReportS3 parameter's pattern, which cfn-lint applies
// here and CloudFormation before it creates or changes anything.
// (`serverless package` itself checks no CloudFormation parameter: it
// packages, the stack is refused.)
func TestReportS3Refused(t *testing.T) {
	t.Parallel()
	run := linted(t)
	n := 0
	for _, tg := range run.targets {
		if !tg.refused {
			continue
		}
		n++
		var got []string
		for _, f := range run.findings[tg.stack.file] {
			id, _, _ := strings.Cut(f, "\x00")
			got = append(got, id)
		}
		if !slices.Equal(got, []string{lintRefused}) {
			t.Errorf("%v: cfn-lint found %q, want only %q", tg.stack, got, lintRefused)
		}
		if !strings.Contains(tg.stack.raw, `"Default": "`+badReportS3+`"`) {
			t.Errorf("%v: the template does not carry reportS3 as ReportS3's Default", tg.stack)
		}
	}
	if n != len(packagers)+1 {
		t.Errorf("%d templates with a bad reportS3 linted, want %d", n, len(packagers)+1)
	}
}

// Packaging prints no configuration warning, but one: serverless@3's
// config schema predates nodejs22.x (the Lambda@Edge function of
// examples/cloudfront) and says so; osls knows it.
func TestPackagingOutput(t *testing.T) {
	t.Parallel()
	run := linted(t)
	for _, tg := range run.targets {
		if tg.stack.tool == "sam" || tg.stack.output == "" {
			continue
		}
		out := tg.stack.output
		if tg.stack.tool == serverlessV3.name && tg.stack.dir == "examples/cloudfront" {
			const known = "at 'functions.renameChallenge.runtime': must be equal to one of the allowed values"
			if !strings.Contains(out, known) {
				t.Errorf("%v: no warning about nodejs22.x: has serverless@3 learnt it? Say so in examples/cloudfront/serverless.yml\n%s", tg.stack, out)
			}
			out = strings.Replace(out, known, "", 1)
			out = strings.Replace(out, "Warning: Invalid configuration encountered", "", 1)
		}
		if strings.Contains(strings.ToLower(out), "warning") {
			t.Errorf("%v printed a warning:\n%s", tg.stack, out)
		}
	}
}

// The ReportS3 pattern, in the root serverless.yml and the SAM template
// alike (read from their text: in the -short lane), takes bucket/key and
// nothing that would make the grant wider or the URL wrong.
func TestReportS3Pattern(t *testing.T) {
	var patterns []string
	for _, f := range []string{"serverless.yml", samTemplate} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		m := reportS3Pattern.FindAllStringSubmatch(string(b), -1)
		if len(m) != 1 {
			t.Fatalf("%s: %d ReportS3 parameters with an AllowedPattern, want 1", f, len(m))
		}
		patterns = append(patterns, strings.ReplaceAll(m[0][1], "''", "'"))
	}
	if patterns[0] != patterns[1] {
		t.Fatalf("ReportS3's pattern: %q in serverless.yml, %q in %s", patterns[0], patterns[1], samTemplate)
	}
	re := regexp.MustCompile(patterns[0])
	for _, v := range []string{"", "my-bucket/exports/daily.csv", "b.example.com/k.csv", "Old_Bucket/a b/ü.csv", "abc/k"} {
		if !re.MatchString(v) {
			t.Errorf("%q refused", v)
		}
	}
	for _, v := range []string{badReportS3, "arn:aws:s3:::b/k.csv", "my-bucket", "my-bucket/", "my-bucket/dir/", "/k.csv", "ab/k",
		"my-bucket/*", "my-bucket/exports/*.csv", "my-bucket/k?.csv", "my-bucket/${aws:username}.csv", "my bucket/k.csv"} {
		if re.MatchString(v) {
			t.Errorf("%q taken", v)
		}
	}
}

// reportS3Pattern finds the ReportS3 parameter's AllowedPattern, the
// first below its name.
var reportS3Pattern = regexp.MustCompile(`(?ms)^ +ReportS3:\n.*?^ +AllowedPattern: '((?:[^']|'')*)' *$`)
