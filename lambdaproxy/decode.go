package lambdaproxy

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/formgate/formgate/internal/jsonstr"
)

// An event decoded in one pass: encoding/json reads a 2 KB event at
// about 12 µs a pass and Invoke made four (Detect's validation and
// probe, the door's validation and decode) — more than the whole of a
// warm hello-world invocation. decodeEvent parses the event once into a
// list of nodes, tells the door from it as Detect does, and fills the
// door's struct from the nodes as json.Unmarshal would.
//
// It gives the same answer as Detect and json.Unmarshal or none:
// whatever it is not sure of — a key matching a field only in another
// case, a key given twice, a number that does not fit, a value of the
// wrong type, invalid JSON, a string with escapes as a struct key —
// returns errSlow, and Invoke takes the encoding/json path, which says
// what is wrong in its own words. FuzzDecodeEvent holds the two paths
// together.

// errSlow: the event is left to encoding/json.
var errSlow = errors.New("lambdaproxy: event left to encoding/json")

// node is one JSON value of the event.
type node struct {
	typ    byte  // '{' object, '[' array, '"' string, '0' number, 't' true, 'f' false, 'n' null
	plain  bool  // a string with no escape, valid UTF-8: its value is the bytes between the quotes
	lo, hi int32 // the value's bytes in the event (a string's with its quotes)
	end    int32 // the index just past this value's own nodes (an object's: keys and values, in turn)
}

// maxDepth bounds nesting; events nest four deep.
const maxDepth = 64

// parser turns the event into nodes, accepting strict JSON only.
type parser struct {
	b     []byte
	i     int
	nodes []node
}

// nodeLists are parse's lists, used again (see bodies).
var nodeLists = sync.Pool{New: func() any { return new([]node) }}

// parse returns b's nodes, in a list from nodeLists: give it back with
// free once nothing refers to it.
func parse(b []byte) ([]node, error) {
	list := nodeLists.Get().(*[]node)
	p := parser{b: b, nodes: (*list)[:0]}
	if len(b) > 1<<30 {
		return nil, errSlow
	}
	if err := p.value(0); err != nil {
		free(p.nodes)
		return nil, err
	}
	p.space()
	if p.i != len(b) {
		free(p.nodes)
		return nil, errSlow
	}
	return p.nodes, nil
}

// free gives parse's list back, unless it grew past what events need.
func free(nodes []node) {
	if cap(nodes) <= 4096 {
		nodeLists.Put(&nodes)
	}
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) error {
	if depth > maxDepth {
		return errSlow
	}
	p.space()
	if p.i >= len(p.b) {
		return errSlow
	}
	at := len(p.nodes)
	p.nodes = append(p.nodes, node{lo: int32(p.i)})
	var typ byte
	switch c := p.b[p.i]; {
	case c == '{':
		typ = '{'
		p.i++
		p.space()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			break
		}
		for {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return errSlow
			}
			if err := p.str(); err != nil {
				return err
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return errSlow
			}
			p.i++
			if err := p.value(depth + 1); err != nil {
				return err
			}
			p.space()
			if p.i >= len(p.b) {
				return errSlow
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] != '}' {
				return errSlow
			}
			p.i++
			break
		}
	case c == '[':
		typ = '['
		p.i++
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			break
		}
		for {
			if err := p.value(depth + 1); err != nil {
				return err
			}
			p.space()
			if p.i >= len(p.b) {
				return errSlow
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] != ']' {
				return errSlow
			}
			p.i++
			break
		}
	case c == '"':
		p.nodes = p.nodes[:at] // str adds the node itself
		return p.str()
	case c == 't':
		typ = 't'
		if !p.literal("true") {
			return errSlow
		}
	case c == 'f':
		typ = 'f'
		if !p.literal("false") {
			return errSlow
		}
	case c == 'n':
		typ = 'n'
		if !p.literal("null") {
			return errSlow
		}
	case c == '-' || '0' <= c && c <= '9':
		typ = '0'
		if !p.number() {
			return errSlow
		}
	default:
		return errSlow
	}
	p.nodes[at].typ, p.nodes[at].hi, p.nodes[at].end = typ, int32(p.i), int32(len(p.nodes))
	return nil
}

func (p *parser) literal(s string) bool {
	if !strings.HasPrefix(string(p.b[p.i:min(len(p.b), p.i+len(s))]), s) {
		return false
	}
	p.i += len(s)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() bool {
	b, i := p.b, p.i
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	p.i = i
	return true
}

// str reads a string at p.i (its opening quote) into a node.
func (p *parser) str() error {
	b := p.b
	start := p.i
	i := start + 1
	plain, ascii := true, true
	for {
		for i < len(b) && jsonstr.Plain(b[i]) {
			i++ // printable ASCII but " and \: nothing to look at
		}
		if i >= len(b) {
			return errSlow
		}
		c := b[i]
		switch {
		case c == '"':
			i++
			if !ascii && !utf8.Valid(b[start+1:i-1]) {
				plain = false // encoding/json replaces the invalid bytes
			}
			p.nodes = append(p.nodes, node{typ: '"', plain: plain, lo: int32(start), hi: int32(i), end: int32(len(p.nodes) + 1)})
			p.i = i
			return nil
		case c == '\\':
			plain = false
			i++
			if i >= len(b) {
				return errSlow
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+4 >= len(b) {
					return errSlow
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return errSlow
					}
				}
				i += 5
			default:
				return errSlow
			}
		case c < 0x20:
			return errSlow
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			i++
		}
	}
}

// text is string node n's value: the bytes themselves when plain, else
// as encoding/json unquotes them.
func text(b []byte, n node) (string, error) {
	if n.plain {
		return string(b[n.lo+1 : n.hi-1]), nil
	}
	return unquote(b[n.lo:n.hi])
}

// unquote is a string with escapes or invalid UTF-8, as encoding/json
// reads it.
func unquote(quoted []byte) (string, error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", errSlow
	}
	return s, nil
}

// text is string node n's value, for a plain string a part of the
// event's one copy: one allocation for all the strings of an event, not
// one each.
func (d *decoder) text(n node) (string, error) {
	if !n.plain {
		return unquote(d.b[n.lo:n.hi])
	}
	if d.s == "" {
		d.s = string(d.b)
	}
	return d.s[n.lo+1 : n.hi-1], nil
}

// member is an object's key and value as node indexes.
type member struct{ key, val int }

// members lists object node n's members.
func members(nodes []node, n int, into []member) []member {
	for i := n + 1; i < int(nodes[n].end); i = int(nodes[i+1].end) {
		into = append(into, member{i, i + 1})
	}
	return into
}

// which is the index in names of key node k, -1 for none; errSlow when
// k could match one of them only as encoding/json matches field names, in
// another case (or Unicode folding: K, the Kelvin sign, folds to k), or
// it has escapes.
func which(b []byte, k node, names []string) (int, error) {
	if !k.plain {
		return -1, errSlow
	}
	key := b[k.lo+1 : k.hi-1]
	for i, name := range names {
		if string(key) == name {
			return i, nil
		}
	}
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return -1, errSlow // no name is non-ASCII; such a key may fold to one
		}
	}
	for _, name := range names {
		if len(key) == len(name) && strings.EqualFold(string(key), name) {
			return -1, errSlow
		}
	}
	return -1, nil
}

// The keys Detect's probe reads: at the top, and in requestContext.
var (
	topNames = [...]string{"version", "httpMethod", "requestContext"}
	ctxNames = [...]string{"elb", "http", "domainName"}
)

// detect is Detect on the parsed event.
func detect(b []byte, nodes []node) (Kind, error) {
	if nodes[0].typ != '{' {
		return Unknown, errSlow
	}
	var version, method, domain string
	var elb, http bool
	var mem [32]member
	var seenTop, seenCtx [3]bool
	for _, m := range members(nodes, 0, mem[:0]) {
		i, err := which(b, nodes[m.key], topNames[:])
		if err != nil {
			return Unknown, err
		}
		if i >= 0 {
			if seenTop[i] {
				return Unknown, errSlow
			}
			seenTop[i] = true
			v := nodes[m.val]
			switch {
			case i < 2 && v.typ == '"':
				s, err := text(b, v)
				if err != nil {
					return Unknown, err
				}
				if i == 0 {
					version = s
				} else {
					method = s
				}
			case i == 2 && v.typ == '{':
				var inner [32]member
				for _, c := range members(nodes, m.val, inner[:0]) {
					j, err := which(b, nodes[c.key], ctxNames[:])
					if err != nil {
						return Unknown, err
					}
					if j >= 0 {
						if seenCtx[j] {
							return Unknown, errSlow
						}
						seenCtx[j] = true
						cv := nodes[c.val]
						switch {
						case j == 0 && cv.typ != 'n':
							elb = true
						case j == 1 && cv.typ != 'n':
							http = true
						case j == 2 && cv.typ == '"':
							if domain, err = text(b, cv); err != nil {
								return Unknown, err
							}
						default:
							return Unknown, errSlow
						}
					}
				}
			default:
				return Unknown, errSlow
			}
		}
	}
	switch {
	case elb:
		return ALB, nil
	case http && strings.Contains(domain, ".lambda-url."):
		return FunctionURL, nil
	case http || version == "2.0":
		return HTTPv2, nil
	case method != "":
		return RESTv1, nil
	}
	return Unknown, nil
}

// decodeEvent is Detect and the door's json.Unmarshal in one pass, or
// errSlow.
func decodeEvent(payload []byte) (Kind, door, error) {
	nodes, err := parse(payload)
	if err != nil {
		return Unknown, nil, err
	}
	defer free(nodes) // the door's strings refer to a copy of payload, not to the nodes
	kind, err := detect(payload, nodes)
	if err != nil {
		return Unknown, nil, err
	}
	var d door
	var into any
	switch kind {
	case RESTv1:
		e := new(restV1)
		d, into = e, &e.APIGatewayProxyRequest
	case HTTPv2, FunctionURL:
		e := new(httpV2)
		d, into = e, &e.APIGatewayV2HTTPRequest
	case ALB:
		e := new(alb)
		d, into = e, &e.ALBTargetGroupRequest
	default:
		return kind, nil, nil
	}
	dec := decoder{b: payload, nodes: nodes}
	if _, err := dec.value(reflect.ValueOf(into).Elem(), 0); err != nil {
		return Unknown, nil, err
	}
	return kind, d, nil
}

// decoder fills Go values from nodes as json.Unmarshal fills them, for
// the kinds the events' types are made of.
type decoder struct {
	b     []byte
	s     string // b as a string, once a string is needed
	nodes []node
}

// value decodes node n into v and returns the index of the next node.
func (d *decoder) value(v reflect.Value, n int) (int, error) {
	nd := d.nodes[n]
	next := int(nd.end)
	if nd.typ == 'n' {
		// Into a fresh value, null changes nothing: encoding/json leaves
		// strings, numbers and structs as they are and sets maps, slices,
		// pointers and interfaces to nil, which they are.
		return next, nil
	}
	switch v.Type() {
	case mapStringString:
		if nd.typ != '{' {
			return 0, errSlow
		}
		m := make(map[string]string, (next-n)/2)
		for i := n + 1; i < next; i += 2 {
			k, err := d.text(d.nodes[i])
			if err != nil {
				return 0, err
			}
			switch vn := d.nodes[i+1]; vn.typ {
			case '"':
				if m[k], err = d.text(vn); err != nil {
					return 0, err
				}
			case 'n':
				m[k] = ""
			default:
				return 0, errSlow
			}
		}
		*v.Addr().Interface().(*map[string]string) = m
		return next, nil
	case mapStringStrings:
		if nd.typ != '{' {
			return 0, errSlow
		}
		m := make(map[string][]string)
		for i := n + 1; i < next; {
			k, err := d.text(d.nodes[i])
			if err != nil {
				return 0, err
			}
			var vs []string
			if i, err = d.strings(&vs, i+1); err != nil {
				return 0, err
			}
			m[k] = vs
		}
		*v.Addr().Interface().(*map[string][]string) = m
		return next, nil
	case stringsType:
		return d.strings(v.Addr().Interface().(*[]string), n)
	}
	switch v.Kind() {
	case reflect.String:
		if nd.typ != '"' || v.Type() != stringType {
			return 0, errSlow
		}
		s, err := d.text(nd)
		if err != nil {
			return 0, err
		}
		v.SetString(s)
	case reflect.Bool:
		if nd.typ != 't' && nd.typ != 'f' {
			return 0, errSlow
		}
		v.SetBool(nd.typ == 't')
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if nd.typ != '0' {
			return 0, errSlow
		}
		i, err := strconv.ParseInt(string(d.b[nd.lo:nd.hi]), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return 0, errSlow
		}
		v.SetInt(i)
	case reflect.Float64:
		if nd.typ != '0' {
			return 0, errSlow
		}
		f, err := strconv.ParseFloat(string(d.b[nd.lo:nd.hi]), 64)
		if err != nil {
			return 0, errSlow
		}
		v.SetFloat(f)
	case reflect.Pointer:
		if v.Type().Elem().Kind() != reflect.Struct {
			return 0, errSlow
		}
		p := reflect.New(v.Type().Elem())
		if _, err := d.value(p.Elem(), n); err != nil {
			return 0, err
		}
		v.Set(p)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return 0, errSlow
		}
		a, err := d.any(n)
		if err != nil {
			return 0, err
		}
		if a != nil {
			v.Set(reflect.ValueOf(a))
		}
	case reflect.Slice:
		if nd.typ != '[' || v.Type().Elem().Kind() == reflect.Uint8 {
			return 0, errSlow
		}
		count := 0
		for i := n + 1; i < next; i = int(d.nodes[i].end) {
			count++
		}
		s := reflect.MakeSlice(v.Type(), count, count)
		for i, k := n+1, 0; i < next; k++ {
			var err error
			if i, err = d.value(s.Index(k), i); err != nil {
				return 0, err
			}
		}
		v.Set(s)
	case reflect.Map:
		if nd.typ != '{' || v.Type().Key() != stringType {
			return 0, errSlow
		}
		m := reflect.MakeMap(v.Type())
		elem := v.Type().Elem()
		for i := n + 1; i < next; {
			k, err := d.text(d.nodes[i])
			if err != nil {
				return 0, err
			}
			e := reflect.New(elem).Elem()
			if i, err = d.value(e, i+1); err != nil {
				return 0, err
			}
			m.SetMapIndex(reflect.ValueOf(k), e)
		}
		v.Set(m)
	case reflect.Struct:
		if nd.typ != '{' {
			return 0, errSlow
		}
		fields, err := fieldsOf(v.Type())
		if err != nil {
			return 0, err
		}
		var seen uint64
		for i := n + 1; i < next; {
			k := d.nodes[i]
			f, err := fields.find(d.b, k)
			if err != nil {
				return 0, err
			}
			if f < 0 {
				i = int(d.nodes[i+1].end) // no such field: skipped
				continue
			}
			if seen&(1<<f) != 0 {
				return 0, errSlow // given twice: encoding/json merges
			}
			seen |= 1 << f
			if i, err = d.value(v.Field(fields.list[f].index), i+1); err != nil {
				return 0, err
			}
		}
	default:
		return 0, errSlow
	}
	return next, nil
}

// strings decodes node n (a JSON array of strings, or null) into *into
// and returns the index of the next node.
func (d *decoder) strings(into *[]string, n int) (int, error) {
	nd := d.nodes[n]
	switch nd.typ {
	case 'n':
		return int(nd.end), nil
	case '[':
	default:
		return 0, errSlow
	}
	s := make([]string, 0, int(nd.end)-n-1)
	for i := n + 1; i < int(nd.end); i++ {
		switch e := d.nodes[i]; e.typ {
		case '"':
			v, err := d.text(e)
			if err != nil {
				return 0, err
			}
			s = append(s, v)
		case 'n':
			s = append(s, "")
		default:
			return 0, errSlow // only strings and nulls are one node each
		}
	}
	*into = s
	return int(nd.end), nil
}

// any is node n as json.Unmarshal decodes it into an interface{}.
func (d *decoder) any(n int) (any, error) {
	nd := d.nodes[n]
	switch nd.typ {
	case 'n':
		return nil, nil
	case 't', 'f':
		return nd.typ == 't', nil
	case '"':
		return d.text(nd)
	case '0':
		f, err := strconv.ParseFloat(string(d.b[nd.lo:nd.hi]), 64)
		if err != nil {
			return nil, errSlow
		}
		return f, nil
	case '[':
		a := []any{}
		for i := n + 1; i < int(nd.end); i = int(d.nodes[i].end) {
			e, err := d.any(i)
			if err != nil {
				return nil, err
			}
			a = append(a, e)
		}
		return a, nil
	case '{':
		m := map[string]any{}
		for i := n + 1; i < int(nd.end); i = int(d.nodes[i+1].end) {
			k, err := d.text(d.nodes[i])
			if err != nil {
				return nil, err
			}
			if m[k], err = d.any(i + 1); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	return nil, errSlow
}

var (
	stringType       = reflect.TypeFor[string]()
	stringsType      = reflect.TypeFor[[]string]()
	mapStringString  = reflect.TypeFor[map[string]string]()
	mapStringStrings = reflect.TypeFor[map[string][]string]()
)

// field is a struct field json.Unmarshal fills.
type field struct {
	name  string // the JSON name
	index int
}

type fields struct {
	list  []field
	names []string // list's names, for which
	ok    bool     // the struct is one decoder can fill as encoding/json would
}

// find is the index in list of the field key names, -1 for none;
// errSlow when the key could match a field in another case.
func (fs *fields) find(b []byte, k node) (int, error) {
	return which(b, k, fs.names)
}

var structFields sync.Map // reflect.Type → *fields

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldsOf lists the fields of struct type t as encoding/json names them
// (the tag's name, else the field's), or errSlow for a struct whose
// decoding decoder does not know: embedded fields, ",string" options,
// custom unmarshalers, more than 64 fields.
func fieldsOf(t reflect.Type) (*fields, error) {
	if fs, ok := structFields.Load(t); ok {
		if f := fs.(*fields); f.ok {
			return f, nil
		}
		return nil, errSlow
	}
	fs := &fields{ok: t.NumField() <= 64 && !reflect.PointerTo(t).Implements(unmarshalerType) && !reflect.PointerTo(t).Implements(textUnmarshalerType)}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			fs.ok = false
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "string") {
			fs.ok = false
		}
		if name == "" {
			name = sf.Name
		}
		ft := sf.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			ft = ft.Elem()
		}
		if reflect.PointerTo(ft).Implements(unmarshalerType) || reflect.PointerTo(ft).Implements(textUnmarshalerType) {
			fs.ok = false
		}
		fs.list = append(fs.list, field{name: name, index: i})
		fs.names = append(fs.names, name)
	}
	structFields.Store(t, fs)
	if !fs.ok {
		return nil, errSlow
	}
	return fs, nil
}
