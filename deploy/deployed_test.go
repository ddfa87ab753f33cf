package deploy

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// resource is one resource of a CloudFormation template.
type resource struct {
	Type       string
	Condition  string
	Properties map[string]any
}

// deployed returns the resources CloudFormation would create from the
// template raw: those whose Condition holds, with every Fn::If replaced by
// the branch its condition picks. goformation leaves conditions alone, and
// a parameter such as reportS3 shows in the packaged template only inside
// them. Conditions may use what formgate's templates use — Fn::Equals of
// two strings, Fn::Not, and other conditions by name —; anything else
// fails the test.
func deployed(t *testing.T, raw string) map[string]resource {
	t.Helper()
	var doc struct {
		Conditions map[string]any
		Resources  map[string]resource
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	var holds func(name string) bool
	var eval func(expr any) bool
	eval = func(expr any) bool {
		if m, ok := expr.(map[string]any); ok && len(m) == 1 {
			for fn, arg := range m {
				args, _ := arg.([]any)
				switch fn {
				case "Fn::Equals":
					if a, b, ok := twoStrings(args); ok {
						return a == b
					}
				case "Fn::Not":
					if len(args) == 1 {
						return !eval(args[0])
					}
				case "Condition":
					if name, ok := arg.(string); ok {
						return holds(name)
					}
				}
			}
		}
		t.Fatalf("condition %v: deployed knows only Fn::Equals of two strings, Fn::Not and Condition", expr)
		return false
	}
	holds = func(name string) bool {
		expr, ok := doc.Conditions[name]
		if !ok {
			t.Fatalf("no condition %q in the template", name)
		}
		return eval(expr)
	}
	var resolve func(v any) any
	resolve = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if arg, ok := v["Fn::If"]; ok && len(v) == 1 {
				args, _ := arg.([]any)
				name, _ := args[0].(string)
				if len(args) != 3 || name == "" {
					t.Fatalf("Fn::If %v: want [condition, then, else]", arg)
				}
				if holds(name) {
					return resolve(args[1])
				}
				return resolve(args[2])
			}
			out := map[string]any{}
			for k, x := range v {
				out[k] = resolve(x)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = resolve(x)
			}
			return out
		}
		return v
	}
	out := map[string]resource{}
	for name, r := range doc.Resources {
		if r.Condition != "" && !holds(r.Condition) {
			continue
		}
		r.Properties, _ = resolve(map[string]any(r.Properties)).(map[string]any)
		out[name] = r
	}
	return out
}

func twoStrings(args []any) (a, b string, ok bool) {
	if len(args) != 2 {
		return "", "", false
	}
	a, aok := args[0].(string)
	b, bok := args[1].(string)
	return a, b, aok && bok
}

func TestDeployed(t *testing.T) {
	const tmpl = `{
	  "Conditions": {
	    "Set": {"Fn::Not": [{"Fn::Equals": ["%s", ""]}]},
	    "Unset": {"Fn::Not": [{"Condition": "Set"}]}
	  },
	  "Resources": {
	    "Always": {"Type": "T", "Properties": {"V": {"Fn::If": ["Set", "s3://%s", "local.csv"]}, "L": [{"Fn::If": ["Unset", 1, 2]}]}},
	    "OnlySet": {"Type": "T", "Condition": "Set", "Properties": {}},
	    "OnlyUnset": {"Type": "T", "Condition": "Unset"}
	  }
	}`
	for _, tt := range []struct {
		param string
		want  map[string]resource
	}{
		{"", map[string]resource{
			"Always":    {"T", "", map[string]any{"V": "local.csv", "L": []any{1.0}}},
			"OnlyUnset": {"T", "Unset", map[string]any{}},
		}},
		{"b/k", map[string]resource{
			"Always":  {"T", "", map[string]any{"V": "s3://b/k", "L": []any{2.0}}},
			"OnlySet": {"T", "Set", map[string]any{}},
		}},
	} {
		if got := deployed(t, fmt.Sprintf(tmpl, tt.param, tt.param)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("param %q: deployed\n%v\nwant\n%v", tt.param, got, tt.want)
		}
	}
}
