package deploy

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// resource is one resource of a CloudFormation template.
type resource struct {
	Type       string
	Condition  string
	Properties map[string]any
}

// pseudo are the pseudo parameters' values in the stacks the tests
// imagine: any account, the default region.
var pseudo = map[string]any{
	"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012",
	"AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "formgate-dev",
}

// noValue is what Ref AWS::NoValue evaluates to: the property or list
// item it stands for is left out.
type noValueT struct{}

var noValue = noValueT{}

// deployed returns the resources CloudFormation would create from the
// template raw with every parameter at its Default (a Serverless
// Framework writes its stage parameters there; samtranslate.py writes
// the overrides there): those whose Condition holds, with every
// intrinsic function whose inputs are known replaced by its value. Refs
// to resources and Fn::GetAtt stay as they are, and so does any function
// with one of them inside. Conditions may use Fn::Equals, Fn::Not,
// Fn::And, Fn::Or and other conditions by name; anything else, or an
// Fn::Equals of unknown values, fails the test.
func deployed(t *testing.T, raw string) map[string]resource {
	t.Helper()
	var doc struct {
		Parameters map[string]struct{ Default any }
		Conditions map[string]any
		Resources  map[string]resource
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	ref := func(name string) (any, bool) {
		if v, ok := pseudo[name]; ok {
			return v, true
		}
		if name == "AWS::NoValue" {
			return noValue, true
		}
		if p, ok := doc.Parameters[name]; ok {
			if f, ok := p.Default.(float64); ok { // a Number parameter: Ref gives its text
				return fmt.Sprint(f), true
			}
			return p.Default, p.Default != nil
		}
		return nil, false
	}
	var holds func(name string) bool
	var resolve func(v any) any
	var eval func(expr any) bool
	eval = func(expr any) bool {
		if m, ok := expr.(map[string]any); ok && len(m) == 1 {
			for fn, arg := range m {
				args, _ := arg.([]any)
				switch fn {
				case "Fn::Equals":
					if len(args) == 2 {
						a, aok := resolve(args[0]).(string)
						b, bok := resolve(args[1]).(string)
						if aok && bok {
							return a == b
						}
					}
				case "Fn::Not":
					if len(args) == 1 {
						return !eval(args[0])
					}
				case "Fn::And", "Fn::Or":
					if len(args) >= 2 {
						and := fn == "Fn::And"
						for _, a := range args {
							if eval(a) != and {
								return !and
							}
						}
						return and
					}
				case "Condition":
					if name, ok := arg.(string); ok {
						return holds(name)
					}
				}
			}
		}
		t.Fatalf("condition %v: deployed knows only Fn::Equals of known strings, Fn::Not, Fn::And, Fn::Or and Condition", expr)
		return false
	}
	holds = func(name string) bool {
		expr, ok := doc.Conditions[name]
		if !ok {
			t.Fatalf("no condition %q in the template", name)
		}
		return eval(expr)
	}
	// sub fills in ${Name} from vars, then from Ref; ok is false when a
	// name is not known (a resource, an attribute).
	sub := func(s string, vars map[string]any) (string, bool) {
		ok := true
		out := subVar.ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}" // ${!Literal}
			}
			v, found := vars[name]
			if !found {
				v, found = ref(name)
			}
			if s, isString := v.(string); found && isString {
				return s
			}
			ok = false
			return m
		})
		return out, ok
	}
	resolve = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 1 {
				for fn, arg := range v {
					switch fn {
					case "Ref":
						if name, ok := arg.(string); ok {
							if x, ok := ref(name); ok {
								return x
							}
						}
						return v
					case "Fn::If":
						args, _ := arg.([]any)
						name, _ := args[0].(string)
						if len(args) != 3 || name == "" {
							t.Fatalf("Fn::If %v: want [condition, then, else]", arg)
						}
						if holds(name) {
							return resolve(args[1])
						}
						return resolve(args[2])
					case "Fn::Join":
						args, _ := resolve(arg).([]any)
						if len(args) == 2 {
							sep, ok := args[0].(string)
							var parts []string
							for _, p := range asList(args[1]) {
								s, isString := p.(string)
								ok = ok && isString
								parts = append(parts, s)
							}
							if ok {
								return strings.Join(parts, sep)
							}
						}
						return map[string]any{fn: args}
					case "Fn::Sub":
						s, vars := arg, map[string]any{}
						if args, ok := arg.([]any); ok && len(args) == 2 {
							s = args[0]
							vars, _ = resolve(args[1]).(map[string]any)
						}
						if str, ok := s.(string); ok {
							if out, ok := sub(str, vars); ok {
								return out
							}
						}
						return map[string]any{fn: resolve(arg)}
					}
				}
			}
			out := map[string]any{}
			for k, x := range v {
				if x := resolve(x); x != noValue {
					out[k] = x
				}
			}
			return out
		case []any:
			out := []any{}
			for _, x := range v {
				if x := resolve(x); x != noValue {
					out = append(out, x)
				}
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

var subVar = regexp.MustCompile(`\$\{[^}]+\}`)

// dig follows keys down nested JSON objects; nil where one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// asList is v as a list: IAM and CloudFormation take one value or a list
// of them in many places.
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// A unit test of the evaluator the deploy checks stand on (in the -short
// lane: it runs no tool).
func TestDeployed(t *testing.T) {
	const tmpl = `{
	  "Parameters": {
	    "Object": {"Type": "String", "Default": "%s"},
	    "Memory": {"Type": "Number", "Default": 512},
	    "Table": {"Type": "String", "Default": "%s"}
	  },
	  "Conditions": {
	    "Set": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Object"}, ""]}]},
	    "Unset": {"Fn::Not": [{"Condition": "Set"}]},
	    "HasTable": {"Fn::Equals": [{"Ref": "Table"}, "true"]},
	    "Both": {"Fn::And": [{"Condition": "Set"}, {"Condition": "HasTable"}]},
	    "Either": {"Fn::Or": [{"Condition": "Set"}, {"Condition": "HasTable"}]}
	  },
	  "Resources": {
	    "Always": {"Type": "T", "Properties": {
	      "V": {"Fn::If": ["Set", {"Fn::Sub": "s3://${Object}"}, "local.csv"]},
	      "L": [{"Fn::If": ["Unset", 1, 2]}, {"Fn::If": ["HasTable", "t", {"Ref": "AWS::NoValue"}]}],
	      "Env": {"TABLE": {"Fn::If": ["HasTable", {"Ref": "Tab"}, {"Ref": "AWS::NoValue"}]}, "M": {"Ref": "Memory"}},
	      "Arn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Object"}]]},
	      "Ref": {"Fn::Sub": ["{{resolve:x:${S}:k}} ${!Kept} ${Tab.Arn}", {"S": {"Fn::Sub": "s/${AWS::Region}"}}]},
	      "Res": {"Fn::Join": ["/", [{"Ref": "Tab"}, "x"]]}
	    }},
	    "OnlySet": {"Type": "T", "Condition": "Set", "Properties": {}},
	    "OnlyUnset": {"Type": "T", "Condition": "Unset"},
	    "OnlyBoth": {"Type": "T", "Condition": "Both"},
	    "OnlyEither": {"Type": "T", "Condition": "Either"}
	  }
	}`
	// A Fn::Sub with an unknown name inside stays whole (its variables
	// evaluated): no half-filled string to mislead a check.
	sub := map[string]any{"Fn::Sub": []any{"{{resolve:x:${S}:k}} ${!Kept} ${Tab.Arn}", map[string]any{"S": "s/eu-west-1"}}}
	res := map[string]any{"Fn::Join": []any{"/", []any{map[string]any{"Ref": "Tab"}, "x"}}}
	for _, tt := range []struct {
		object, table string
		want          map[string]resource
	}{
		{"", "false", map[string]resource{
			"Always": {"T", "", map[string]any{"V": "local.csv", "L": []any{1.0}, "Env": map[string]any{"M": "512"},
				"Arn": "arn:aws:s3:::", "Ref": sub, "Res": res}},
			"OnlyUnset": {"T", "Unset", map[string]any{}},
		}},
		{"b/k", "true", map[string]resource{
			"Always": {"T", "", map[string]any{"V": "s3://b/k", "L": []any{2.0, "t"}, "Env": map[string]any{"TABLE": map[string]any{"Ref": "Tab"}, "M": "512"},
				"Arn": "arn:aws:s3:::b/k", "Ref": sub, "Res": res}},
			"OnlySet":    {"T", "Set", map[string]any{}},
			"OnlyBoth":   {"T", "Both", map[string]any{}},
			"OnlyEither": {"T", "Either", map[string]any{}},
		}},
	} {
		if got := deployed(t, fmt.Sprintf(tmpl, tt.object, tt.table)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Object %q Table %q: deployed\n%v\nwant\n%v", tt.object, tt.table, got, tt.want)
		}
	}
}
