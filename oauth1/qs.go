package oauth1

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// This file is the slow path of query parsing: a plain model of what
// qs.parse (qs 6.15.2, default options, as in JS SDK 8.14.1) builds from a
// query string, and of how the SDK then flattens that into signed pairs
// (docs/protocol.md §2.4). The fast path in query.go handles the common case and falls
// back here when a name holds brackets, a piece holds "]=" after its first
// '=', or a name repeats more than qsArrayLimit times. The model follows the
// JavaScript step by step, so it is written for clarity, not speed.

const (
	qsDepth          = 5
	qsArrayLimit     = 20
	qsParameterLimit = 1000
)

// A jsValue is one of the values qs produces: a string, a *jsArray or a
// *jsObject. A nil jsValue stands for undefined (a hole in an array).
type jsValue any

// jsArray is a JavaScript array; nil elements are holes.
type jsArray struct {
	elems []jsValue
}

// jsObject is a plain JavaScript object. Overflow objects are the
// index-keyed objects qs makes from arrays longer than arrayLimit; it tracks
// their largest index.
type jsObject struct {
	keys     []string // in insertion order
	vals     map[string]jsValue
	overflow bool
	maxIndex float64
}

func newObject() *jsObject {
	return &jsObject{vals: map[string]jsValue{}}
}

func (o *jsObject) has(k string) bool {
	_, ok := o.vals[k]
	return ok
}

func (o *jsObject) set(k string, v jsValue) {
	if !o.has(k) {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// ownKeys returns the keys in Object.keys order: array indices in ascending
// numeric order, then the other keys in insertion order.
func (o *jsObject) ownKeys() []string {
	var idx, rest []string
	for _, k := range o.keys {
		if _, ok := arrayIndex(k); ok {
			idx = append(idx, k)
		} else {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(idx, func(a, b string) int {
		x, _ := arrayIndex(a)
		y, _ := arrayIndex(b)
		return int(x) - int(y)
	})
	return append(idx, rest...)
}

// arrayIndex reports whether k is a canonical array index (0 ≤ n < 2³²−1).
func arrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (k[0] == '0' && k != "0") || !allDigits(k) {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 32)
	return uint32(n), err == nil && n < math.MaxUint32
}

// jsNumber formats an integral float64 as JavaScript's String(n) does.
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		return "0" // String(-0) is "0" too
	case math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsParseInt is parseInt(s, 10) for the strings qs passes it.
func jsParseInt(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s[:n], 64)
	if neg {
		f = -f
	}
	return f
}

// qsPair is one flattened, decoded name/value pair.
type qsPair struct{ name, value string }

// qsParams parses query as qs.parse does, leaves out the top-level keys for
// which skip reports true (the oauth parameters that overwrite them) and
// flattens the rest the way the SDK does before encoding (docs/protocol.md §2.4).
func qsParams(query string, skip func(string) bool) []qsPair {
	obj := qsParse(query)
	var out []qsPair
	for _, k := range obj.ownKeys() {
		if skip(k) {
			continue
		}
		switch v := obj.vals[k].(type) {
		case *jsArray:
			for _, e := range v.elems {
				out = append(out, qsPair{k, jsString(e)})
			}
		case *jsObject:
			for _, pk := range v.ownKeys() {
				out = append(out, qsPair{k + "[" + pk + "]", jsString(v.vals[pk])})
			}
		case string:
			out = append(out, qsPair{k, v})
		}
	}
	return out
}

// jsString is String(v): arrays are joined with commas, objects print as
// "[object Object]" and undefined as "" (the SDK writes falsy values as "").
func jsString(v jsValue) string {
	switch v := v.(type) {
	case string:
		return v
	case *jsArray:
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case *jsObject:
		return "[object Object]"
	}
	return ""
}

// qsParse is qs.parse(query) with default options.
func qsParse(query string) *jsObject {
	// parseValues: split, decode, and combine repeated names.
	query = replaceFold(replaceFold(query, "%5B", "["), "%5D", "]")
	values := newObject()
	for i, part := range strings.SplitN(query, "&", qsParameterLimit+1) {
		if i == qsParameterLimit {
			break
		}
		pos := strings.Index(part, "]=")
		if pos >= 0 {
			pos++
		} else {
			pos = strings.IndexByte(part, '=')
		}
		var key string
		var val jsValue = ""
		if pos < 0 {
			key = qsDecode(part)
		} else {
			key, val = qsDecode(part[:pos]), qsDecode(part[pos+1:])
		}
		if values.has(key) {
			values.set(key, qsCombine(values.vals[key], val))
		} else {
			values.set(key, val)
		}
	}

	// parseKeys: expand bracketed names and merge everything into one object.
	var obj jsValue = newObject()
	for _, key := range values.ownKeys() {
		if key == "" {
			continue
		}
		chain, ok := splitKey(key)
		if !ok {
			continue
		}
		obj = qsMerge(obj, parseObject(chain, values.vals[key]))
	}
	return compact(obj).(*jsObject)
}

// replaceFold replaces every ASCII-case-insensitive match of old in s.
func replaceFold(s, old, repl string) string {
	var b strings.Builder
	for {
		i := indexFold(s, old)
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s = s[i+len(old):]
	}
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// isPrototypeName reports whether name is a property of Object.prototype; qs
// drops keys that would shadow one.
func isPrototypeName[T string | []byte](name T) bool {
	switch string(name) {
	case "constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty",
		"__lookupGetter__", "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable",
		"toString", "valueOf", "__proto__", "toLocaleString":
		return true
	}
	return false
}

// splitKey splits a decoded name like "a[b][c]" into "a", "[b]", "[c]": at
// most qsDepth bracket groups, the rest kept as one literal group, text after
// the last group dropped. It reports false if the name is to be dropped.
func splitKey(key string) ([]string, bool) {
	var segs []string
	open := strings.IndexByte(key, '[')
	parent := key
	if open >= 0 {
		parent = key[:open]
	}
	if parent != "" {
		if isPrototypeName(parent) {
			return nil, false
		}
		segs = append(segs, parent)
	}
	for collected := 0; open >= 0 && collected < qsDepth; collected++ {
		level, end := 1, -1
		for i := open + 1; i < len(key) && end < 0; i++ {
			switch key[i] {
			case '[':
				level++
			case ']':
				if level--; level == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			return append(segs, "["+key[open:]+"]"), true
		}
		seg := key[open : end+1]
		if isPrototypeName(seg[1 : len(seg)-1]) {
			return nil, false
		}
		segs = append(segs, seg)
		open = strings.IndexByte(key[end+1:], '[')
		if open >= 0 {
			open += end + 1
		}
	}
	if open >= 0 {
		segs = append(segs, "["+key[open:]+"]")
	}
	return segs, true
}

// parseObject builds the nested value for one key chain, innermost first.
func parseObject(chain []string, leaf jsValue) jsValue {
	for i := len(chain) - 1; i >= 0; i-- {
		root := chain[i]
		if root == "[]" {
			if o, ok := leaf.(*jsObject); !ok || !o.overflow {
				leaf = qsCombine(&jsArray{}, leaf)
			}
			continue
		}
		clean := root
		if len(root) >= 2 && root[0] == '[' && root[len(root)-1] == ']' {
			clean = root[1 : len(root)-1]
		}
		index := jsParseInt(clean)
		isIndex := !math.IsNaN(index) && root != clean && jsNumber(index) == clean && index >= 0
		switch {
		case isIndex && index < qsArrayLimit:
			arr := &jsArray{elems: make([]jsValue, int(index)+1)}
			arr.elems[int(index)] = leaf
			leaf = arr
		case isIndex:
			o := newObject()
			o.set(clean, leaf)
			o.overflow, o.maxIndex = true, index
			leaf = o
		default:
			o := newObject()
			if clean != "__proto__" {
				o.set(clean, leaf)
			}
			leaf = o
		}
	}
	return leaf
}

// concat is [].concat(a, b): arrays are spread one level, holes kept.
func concat(vs ...jsValue) []jsValue {
	var out []jsValue
	for _, v := range vs {
		if a, ok := v.(*jsArray); ok {
			out = append(out, a.elems...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// arrayToObject turns the defined elements of elems into index keys.
func arrayToObject(elems []jsValue) *jsObject {
	o := newObject()
	for i, e := range elems {
		if e != nil {
			o.set(strconv.Itoa(i), e)
		}
	}
	return o
}

// overflowObject is arrayToObject for a list longer than the array limit.
func overflowObject(elems []jsValue) *jsObject {
	o := arrayToObject(elems)
	o.overflow, o.maxIndex = true, float64(len(elems)-1)
	return o
}

// qsCombine is qs utils.combine: append b to a, switching to an overflow
// object past the array limit.
func qsCombine(a, b jsValue) jsValue {
	if o, ok := a.(*jsObject); ok && o.overflow {
		o.maxIndex++
		o.set(jsNumber(o.maxIndex), b)
		return o
	}
	elems := concat(a, b)
	if len(elems) > qsArrayLimit {
		return overflowObject(elems)
	}
	return &jsArray{elems: elems}
}

func isObjectValue(v jsValue) bool {
	switch v.(type) {
	case *jsArray, *jsObject:
		return true
	}
	return false
}

// qsMerge is qs utils.merge with its default options (strictMerge on). It
// dispatches on the shapes of target and source; each case is one branch of
// utils.merge.
func qsMerge(target, source jsValue) jsValue {
	if source == nil || source == "" {
		return target
	}
	if s, ok := source.(string); ok {
		return mergeString(target, s)
	}
	if !isObjectValue(target) {
		return mergeIntoPrimitive(target, source)
	}
	ta, targetIsArray := target.(*jsArray)
	if sa, ok := source.(*jsArray); ok && targetIsArray {
		return mergeArrays(ta, sa)
	}
	if targetIsArray {
		return mergeIntoObject(arrayToObject(ta.elems), source)
	}
	return mergeIntoObject(target.(*jsObject), source)
}

// mergeString appends a string source to target.
func mergeString(target jsValue, s string) jsValue {
	switch t := target.(type) {
	case *jsArray:
		if len(t.elems) > qsArrayLimit {
			o := arrayToObject(concat(t, s))
			o.overflow, o.maxIndex = true, float64(len(t.elems))
			return o
		}
		t.elems = append(t.elems, s)
		return t
	case *jsObject:
		if t.overflow {
			t.maxIndex++
			t.set(jsNumber(t.maxIndex), s)
			return t
		}
	}
	return &jsArray{elems: []jsValue{target, s}}
}

// mergeIntoPrimitive merges an array or object source into a string target.
func mergeIntoPrimitive(target, source jsValue) jsValue {
	if so, ok := source.(*jsObject); ok && so.overflow {
		o := newObject()
		o.set("0", target)
		for _, k := range so.ownKeys() {
			o.set(jsNumber(jsParseInt(k)+1), so.vals[k])
		}
		o.overflow, o.maxIndex = true, so.maxIndex+1
		return o
	}
	elems := concat(&jsArray{elems: []jsValue{target}}, source)
	if len(elems) > qsArrayLimit {
		return overflowObject(elems)
	}
	return &jsArray{elems: elems}
}

// mergeArrays merges source into target index by index.
func mergeArrays(ta, sa *jsArray) jsValue {
	for i, item := range sa.elems {
		if item == nil {
			continue
		}
		switch {
		case i >= len(ta.elems) || ta.elems[i] == nil:
			for len(ta.elems) <= i {
				ta.elems = append(ta.elems, nil)
			}
			ta.elems[i] = item
		case isObjectValue(ta.elems[i]) && isObjectValue(item):
			ta.elems[i] = qsMerge(ta.elems[i], item)
		default:
			ta.elems = append(ta.elems, item)
		}
	}
	return ta
}

// mergeIntoObject merges source's own keys into acc, keeping the overflow
// bookkeeping of qs's array limit.
func mergeIntoObject(acc *jsObject, source jsValue) jsValue {
	so, sourceIsObject := source.(*jsObject)
	for _, k := range ownKeysOf(source) {
		v := valueAt(source, k)
		if acc.has(k) {
			acc.set(k, qsMerge(acc.vals[k], v))
		} else {
			acc.set(k, v)
		}
		if sourceIsObject && so.overflow && !acc.overflow {
			acc.overflow, acc.maxIndex = true, so.maxIndex
		}
		if acc.overflow {
			if n := jsParseInt(k); jsNumber(n) == k && n >= 0 && n > acc.maxIndex {
				acc.maxIndex = n
			}
		}
	}
	return acc
}

// ownKeysOf is Object.keys for an array or an object.
func ownKeysOf(v jsValue) []string {
	switch v := v.(type) {
	case *jsObject:
		return v.ownKeys()
	case *jsArray:
		var keys []string
		for i, e := range v.elems {
			if e != nil {
				keys = append(keys, strconv.Itoa(i))
			}
		}
		return keys
	}
	return nil
}

func valueAt(v jsValue, k string) jsValue {
	if a, ok := v.(*jsArray); ok {
		i, _ := strconv.Atoi(k)
		return a.elems[i]
	}
	return v.(*jsObject).vals[k]
}

// compact removes the holes from every array in v.
func compact(v jsValue) jsValue {
	switch v := v.(type) {
	case *jsArray:
		elems := v.elems[:0]
		for _, e := range v.elems {
			if e != nil {
				elems = append(elems, compact(e))
			}
		}
		v.elems = elems
	case *jsObject:
		for _, k := range v.keys {
			v.vals[k] = compact(v.vals[k])
		}
	}
	return v
}
