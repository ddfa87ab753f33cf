package deploy

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The deploy commands the README and docs/deploy.md give, run as far as
// they go offline: each `npx --no serverless|osls deploy …` is packaged
// with the same arguments in the same folder, each `sam deploy` is
// translated with the parameters it gives (--parameter-overrides, or the
// answers docs/deploy.md gives to --guided), and every template they make
// is linted (lintAll takes them). A command the tests cannot run that way
// fails here.

var docFiles = []string{"README.md", "docs/deploy.md"}

// A docCommand is one deploy command from the docs.
type docCommand struct {
	where  string // file:line
	tool   string // serverless, osls or sam
	dir    string // where it runs, relative to the repository root
	params []string
}

// docCommands reads the deploy commands in the docs' sh blocks, and the
// answers to `sam deploy --guided` in their text blocks.
func docCommands(t testing.TB) []docCommand {
	t.Helper()
	var cmds []docCommand
	var guided []string // Name=Value from "Parameter Name [default]: answer"
	type prompt struct{ where, name, def string }
	var prompts []prompt
	for _, f := range docFiles {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		lang, dir := "", "."
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			line := lines[i]
			where := fmt.Sprintf("%s:%d", f, i+1)
			if strings.HasPrefix(line, "```") {
				lang, dir = strings.TrimPrefix(line, "```"), "."
				continue
			}
			switch lang {
			case "text":
				if m := guidedParam.FindStringSubmatch(line); m != nil {
					answer := m[3]
					if answer == "" {
						answer = m[2]
					}
					guided = append(guided, m[1]+"="+answer)
					prompts = append(prompts, prompt{where, m[1], m[2]})
				}
			case "sh":
				for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
					i++
					line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
				}
				for _, seg := range strings.Split(line, "&&") {
					words := shellWords(seg)
					switch {
					case len(words) == 0:
					case words[0] == "cd" && len(words) == 2:
						dir = path.Join(dir, words[1])
					case words[0] == "npx" && slices.Contains([]string{"serverless", "osls", "sls"}, at(words, 1)):
						t.Errorf("%s: %q: write npx --no, so that npx runs the pinned install and never downloads another", where, seg)
					case words[0] == "npx" && at(words, 1) == "--no" && slices.Contains([]string{"serverless", "osls"}, at(words, 2)):
						cmds = append(cmds, npxCommand(t, where, dir, words))
					case words[0] == "sam":
						cmds = append(cmds, samCommand(t, where, dir, words))
					case words[0] == "cfn-lint":
						// What lintAll lints: the template package writes
						// (into .serverless/ without --package), and the SAM
						// template as written.
						if f := path.Join(dir, at(words, 1)); len(words) != 2 || f != ".serverless/cloudformation-template-update-stack.json" && f != samTemplate {
							t.Errorf("%s: %q: the tests lint what package writes and %s", where, seg, samTemplate)
						}
					}
				}
			}
		}
	}
	// Each --guided gets the answers; their names and defaults must be the
	// template's, as sam deploy would show them.
	params := samParams(t)
	for _, p := range prompts {
		if def, ok := params[p.name]; !ok || def != p.def {
			t.Errorf("%s: Parameter %s [%s]: the template's default is %q (a parameter: %v)", p.where, p.name, p.def, def, ok)
		}
	}
	if len(prompts) > 0 && len(prompts) != len(params) {
		t.Errorf("the docs answer %d of sam deploy --guided's %d parameter questions", len(prompts), len(params))
	}
	for i, c := range cmds {
		if c.tool == "sam" && c.params == nil {
			if len(guided) == 0 {
				t.Errorf("%s: sam deploy --guided, but no answers to its questions in the docs", c.where)
			}
			cmds[i].params = guided
		}
	}
	return cmds
}

var guidedParam = regexp.MustCompile(`^Parameter ([A-Za-z0-9]+) \[([^\]]*)\]: ?(.*)$`)

func at(words []string, i int) string {
	if i < len(words) {
		return words[i]
	}
	return ""
}

// npxCommand turns `npx --no TOOL deploy|package --stage dev
// --param=name=value …` into what pkg packages. Every parameter must be
// one of the config's stage parameters: the framework would ignore a
// misspelt one.
func npxCommand(t testing.TB, where, dir string, words []string) docCommand {
	t.Helper()
	c := docCommand{where: where, tool: words[2], dir: dir}
	if v := at(words, 3); v != "deploy" && v != "package" {
		t.Errorf("%s: npx --no %s %s: the tests run deploy and package only", where, c.tool, v)
	}
	known := yamlKeys(t, "serverless.yml", "params", "default")
	if dir == "examples/library" {
		known = yamlKeys(t, "examples/library/serverless.yml", "params", "default")
	}
	var stage string
	for i := 4; i < len(words); i++ {
		switch w := words[i]; {
		case w == "--stage" && i+1 < len(words):
			i++
			stage = words[i]
		case strings.HasPrefix(w, "--param="):
			kv := strings.TrimPrefix(w, "--param=")
			name, _, _ := strings.Cut(kv, "=")
			if !slices.Contains(known, name) {
				t.Errorf("%s: --param %s: not a stage parameter of %s/serverless.yml (%v)", where, name, dir, known)
			}
			c.params = append(c.params, kv)
		default:
			t.Errorf("%s: %q: the tests know --stage and --param only", where, w)
		}
	}
	if stage != "dev" {
		t.Errorf("%s: --stage %q: the tests package --stage dev", where, stage)
	}
	if _, err := os.Stat(filepath.Join(root, dir, "serverless.yml")); err != nil {
		t.Errorf("%s: no serverless.yml where the command runs: %v", where, err)
	}
	return c
}

// samCommand turns `sam deploy [--guided] [--parameter-overrides N=V …]`,
// run where the template is, into what sam translates.
func samCommand(t testing.TB, where, dir string, words []string) docCommand {
	t.Helper()
	c := docCommand{where: where, tool: "sam", dir: dir}
	if at(words, 1) != "deploy" {
		t.Errorf("%s: sam %s: the tests translate sam deploy only", where, at(words, 1))
	}
	if dir+"/template.yaml" != samTemplate {
		t.Errorf("%s: sam deploy in %s: the template is %s", where, dir, samTemplate)
	}
	overrides := false
	for _, w := range words[2:] {
		switch {
		case w == "--guided" && !overrides:
		case w == "--parameter-overrides":
			overrides, c.params = true, []string{}
		case overrides && strings.Contains(w, "="):
			c.params = append(c.params, w)
		default:
			t.Errorf("%s: %q: the tests know --guided and --parameter-overrides only", where, w)
		}
	}
	return c
}

// samParams maps the SAM template's parameters to their defaults, as
// `sam deploy --guided` shows them.
func samParams(t testing.TB) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, samTemplate))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	in, name := false, ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "Parameters:":
			in = true
		case line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			in = false // the next top-level key
		case !in:
		case samParamName.MatchString(line):
			name = samParamName.FindStringSubmatch(line)[1]
			out[name] = ""
		case samParamDefault.MatchString(line):
			out[name] = strings.Trim(samParamDefault.FindStringSubmatch(line)[1], `'`)
		}
	}
	return out
}

var (
	samParamName    = regexp.MustCompile(`^  ([A-Za-z0-9]+):$`)
	samParamDefault = regexp.MustCompile(`^    Default: (.*)$`)
)

// shellWords splits a command line as sh would for these docs: words
// apart on spaces, quotes taken off, and the rest of the line after an
// unquoted # dropped.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// Every deploy command in the docs packages (or translates), with both
// frameworks and SAM represented; lintAll lints what they make.
func TestDocumentedCommands(t *testing.T) {
	t.Parallel()
	cmds := docCommands(t)
	tools := map[string]int{}
	for _, c := range cmds {
		tools[c.tool]++
	}
	for _, tool := range []string{"serverless", "osls", "sam"} {
		if tools[tool] == 0 {
			t.Errorf("the docs give no deploy command for %s", tool)
		}
	}
	for _, c := range cmds {
		t.Run(c.where, func(t *testing.T) {
			s := c.stack(t)
			if s.raw == "" {
				t.Errorf("%s: no template", c.where)
			}
		})
	}
}

// stack makes what the command would deploy.
func (c docCommand) stack(t testing.TB) *stack {
	t.Helper()
	if c.tool == "sam" {
		return sam(t, c.params...)
	}
	for _, p := range packagers {
		if p.name == c.tool {
			return pkg(t, p, c.dir, c.params...)
		}
	}
	t.Fatalf("%s: no packager %s", c.where, c.tool)
	return nil
}

// The commands' words as the tests read them (in the -short lane).
func TestShellWords(t *testing.T) {
	for in, want := range map[string][]string{
		`npx --no osls deploy --stage dev --param="username=anna"   # osls`: {"npx", "--no", "osls", "deploy", "--stage", "dev", "--param=username=anna"},
		` cd examples/http-api `:                       {"cd", "examples/http-api"},
		`sam deploy --parameter-overrides 'A=b c' D=e`: {"sam", "deploy", "--parameter-overrides", "A=b c", "D=e"},
		`# a comment`: nil,
		`echo a#b`:    {"echo", "a#b"},
	} {
		if got := shellWords(in); !slices.Equal(got, want) {
			t.Errorf("shellWords(%q) = %q, want %q", in, got, want)
		}
	}
}
