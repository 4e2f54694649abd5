package exhtest

// This file is the verifier's model of qs.parse (qs 6.15.2 with its default
// options, as JS SDK 8.14.1 and the auth service call it) and of the SDK's
// flattening of the result into signed pairs. It follows the JavaScript of
// qs function by function (parseValues, splitKeyIntoSegments, parseObject,
// utils.combine, utils.merge, utils.compact), with a small model of the
// JavaScript values qs builds. testdata/qs_cases.json, written with the real
// qs by testdata/qsgen, checks it. Clarity over speed.

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The qs options that shape the result; all are qs's defaults.
const (
	qsArrayLimit     = 20   // arrayLimit: longer lists and larger indices become objects
	qsDepth          = 5    // depth: bracket groups read; the rest is one literal group
	qsParameterLimit = 1000 // parameterLimit: pieces after the first 1000 are ignored
)

// prototypeNames are the own properties of JavaScript's Object.prototype.
// qs drops a parameter whose name before the first bracket, or the text of
// any of its bracket groups, is one of them.
var prototypeNames = map[string]bool{
	"constructor": true, "__defineGetter__": true, "__defineSetter__": true,
	"hasOwnProperty": true, "__lookupGetter__": true, "__lookupSetter__": true,
	"isPrototypeOf": true, "propertyIsEnumerable": true, "toString": true,
	"valueOf": true, "__proto__": true, "toLocaleString": true,
}

// qsKind tells the three shapes a value built by qs can have.
type qsKind int

const (
	qsString qsKind = iota
	qsArray
	qsObject
)

// qsValue is a JavaScript value as qs builds it: a string, an array (a nil
// item is a hole of a sparse array) or a plain object, whose property order
// is kept because qs's results depend on it.
type qsValue struct {
	kind  qsKind
	str   string
	items []*qsValue
	names []string // property names in insertion order
	props map[string]*qsValue
	// overflow and maxIndex are qs's side channel for an object made from a
	// list that outgrew qsArrayLimit: later values go to maxIndex+1.
	overflow bool
	maxIndex float64
}

func qsStr(s string) *qsValue { return &qsValue{kind: qsString, str: s} }

func qsArr(items ...*qsValue) *qsValue { return &qsValue{kind: qsArray, items: items} }

func qsObj() *qsValue { return &qsValue{kind: qsObject, props: map[string]*qsValue{}} }

// isObject is `v && typeof v === 'object'`: arrays and objects.
func (v *qsValue) isObject() bool { return v != nil && v.kind != qsString }

// has is hasOwnProperty for an object.
func (v *qsValue) has(name string) bool {
	_, ok := v.props[name]
	return ok
}

// set assigns an object property; a new name goes last in insertion order.
func (v *qsValue) set(name string, val *qsValue) {
	if !v.has(name) {
		v.names = append(v.names, name)
	}
	v.props[name] = val
}

// isArrayIndex reports whether name is an array index in JavaScript's
// sense (the canonical decimal form of an integer below 2³²−1). Object.keys
// lists such names first, in numeric order.
func isArrayIndex(name string) bool {
	n, ok := canonicalInt(name)
	return ok && n < math.MaxUint32
}

// ownKeys is Object.keys: for an array the indices that are not holes, for
// an object the array-index names in numeric order, then the others in
// insertion order.
func (v *qsValue) ownKeys() []string {
	var keys []string
	switch v.kind {
	case qsArray:
		for i, it := range v.items {
			if it != nil {
				keys = append(keys, strconv.Itoa(i))
			}
		}
	case qsObject:
		var indices, others []string
		for _, name := range v.names {
			if isArrayIndex(name) {
				indices = append(indices, name)
			} else {
				others = append(others, name)
			}
		}
		sort.Slice(indices, func(i, j int) bool {
			a, _ := canonicalInt(indices[i])
			b, _ := canonicalInt(indices[j])
			return a < b
		})
		keys = append(indices, others...)
	}
	return keys
}

// get reads the element or property that ownKeys named.
func (v *qsValue) get(key string) *qsValue {
	if v.kind == qsArray {
		i, _ := strconv.Atoi(key)
		return v.items[i]
	}
	return v.props[key]
}

// jsString is String(v): arrays are joined with commas (holes give ""),
// objects give "[object Object]".
func (v *qsValue) jsString() string {
	switch v.kind {
	case qsArray:
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			if it != nil {
				parts[i] = it.jsString()
			}
		}
		return strings.Join(parts, ",")
	case qsObject:
		return "[object Object]"
	}
	return v.str
}

// canonicalInt reads a string that String(parseInt(s, 10)) gives back
// unchanged and that is not negative: decimal digits without a leading zero
// whose value survives the round trip through a JavaScript number.
func canonicalInt(s string) (float64, bool) {
	if s == "" || len(s) > 21 || (s[0] == '0' && s != "0") {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || jsNumberString(f) != s {
		return 0, false
	}
	return f, true
}

// jsNumberString is String(n) for the numbers qs computes: integers, or NaN.
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		return "0"
	case math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	// 1e+21 and up: JavaScript writes an exponent with a sign.
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "e+" + exp
}

// jsParseInt is parseInt(s, 10): optional white space and sign, then the
// longest run of digits; NaN when there is none.
func jsParseInt(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := strings.HasPrefix(s, "-")
	if neg || strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	if neg {
		return -f
	}
	return f
}

// qsDecode is qs's default decoder: '+' becomes a space, then the whole
// text is decoded like decodeURIComponent; if that fails the text is kept as
// it is (with the '+' already turned into spaces).
func qsDecode(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if decoded, ok := strictUnescape(s); ok {
		return decoded
	}
	return s
}

// encodedBracket matches %5B and %5D in any case: qs turns them into
// brackets before it splits the query.
var encodedBracket = regexp.MustCompile(`(?i)%5[bd]`)

// qsParseValues is qs's parseValues: split at '&' (at most
// qsParameterLimit pieces), split each piece into name and value, decode
// both, and combine the values of a repeated name into a list.
func qsParseValues(query string) *qsValue {
	query = encodedBracket.ReplaceAllStringFunc(query, func(m string) string {
		if m[2] == 'b' || m[2] == 'B' {
			return "["
		}
		return "]"
	})
	pieces := strings.Split(query, "&")
	if len(pieces) > qsParameterLimit {
		pieces = pieces[:qsParameterLimit]
	}
	values := qsObj()
	for _, piece := range pieces {
		// The name ends at the first '=', or after the first "]=".
		pos := strings.Index(piece, "=")
		if i := strings.Index(piece, "]="); i >= 0 {
			pos = i + 1
		}
		name, value := piece, ""
		if pos >= 0 {
			name, value = piece[:pos], piece[pos+1:]
		}
		name, value = qsDecode(name), qsDecode(value)
		if values.has(name) {
			values.set(name, qsCombine(values.props[name], qsStr(value)))
		} else {
			values.set(name, qsStr(value))
		}
	}
	return values
}

// qsSplitKey is qs's splitKeyIntoSegments: "a[b][c]" gives "a", "[b]",
// "[c]". Groups may nest ("a[b[c]]" gives "a", "[b[c]]"); an unterminated
// group, and everything from the group after the qsDepth-th, is wrapped in
// one more pair of brackets and kept as one literal segment; text after the
// last group is dropped. It reports false when qs drops the parameter
// because the parent or a group's text is a prototype name.
func qsSplitKey(key string) ([]string, bool) {
	var segments []string
	open := strings.Index(key, "[")
	parent := key
	if open >= 0 {
		parent = key[:open]
	}
	if parent != "" {
		if prototypeNames[parent] {
			return nil, false
		}
		segments = append(segments, parent)
	}
	for collected := 0; open >= 0 && collected < qsDepth; collected++ {
		depth, end := 0, -1
		for i := open; i < len(key) && end < 0; i++ {
			switch key[i] {
			case '[':
				depth++
			case ']':
				if depth--; depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			return append(segments, "["+key[open:]+"]"), true
		}
		group := key[open : end+1]
		if prototypeNames[group[1:len(group)-1]] {
			return nil, false
		}
		segments = append(segments, group)
		open = strings.Index(key[end+1:], "[")
		if open >= 0 {
			open += end + 1
		}
	}
	if open >= 0 {
		segments = append(segments, "["+key[open:]+"]")
	}
	return segments, true
}

// qsParseObject is qs's parseObject: it wraps leaf in what the segments
// describe, from the innermost out. "[]" makes a list; "[n]" with a
// canonical n below qsArrayLimit a sparse list with leaf at n, with a larger
// n an overflow object; anything else an object with one property.
func qsParseObject(segments []string, leaf *qsValue) *qsValue {
	for i := len(segments) - 1; i >= 0; i-- {
		seg := segments[i]
		if seg == "[]" {
			if !(leaf.kind == qsObject && leaf.overflow) {
				leaf = qsCombine(qsArr(), leaf)
			}
			continue
		}
		name := seg
		bracketed := len(seg) >= 2 && seg[0] == '[' && seg[len(seg)-1] == ']'
		if bracketed {
			name = seg[1 : len(seg)-1]
		}
		index, isIndex := canonicalInt(name)
		isIndex = isIndex && bracketed
		obj := qsObj()
		switch {
		case isIndex && index < qsArrayLimit:
			obj = qsArr(make([]*qsValue, int(index)+1)...)
			obj.items[int(index)] = leaf
		case isIndex:
			obj.set(name, leaf)
			obj.overflow, obj.maxIndex = true, index
		default:
			obj.set(name, leaf) // qsSplitKey dropped "__proto__" already
		}
		leaf = obj
	}
	return leaf
}

// qsConcat is [].concat(a, b): arrays are spread one level, holes kept.
func qsConcat(vs ...*qsValue) []*qsValue {
	var out []*qsValue
	for _, v := range vs {
		if v.kind == qsArray {
			out = append(out, v.items...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// qsArrayToObject is utils.arrayToObject: the elements that are not holes,
// keyed by index.
func qsArrayToObject(items []*qsValue) *qsValue {
	obj := qsObj()
	for i, it := range items {
		if it != nil {
			obj.set(strconv.Itoa(i), it)
		}
	}
	return obj
}

// qsOverflow is markOverflow(arrayToObject(items), maxIndex).
func qsOverflow(items []*qsValue, maxIndex int) *qsValue {
	obj := qsArrayToObject(items)
	obj.overflow, obj.maxIndex = true, float64(maxIndex)
	return obj
}

// qsAppend puts v at the next index of an overflow object.
func qsAppend(obj, v *qsValue) *qsValue {
	obj.maxIndex++
	obj.set(jsNumberString(obj.maxIndex), v)
	return obj
}

// qsCombine is utils.combine: b appended to a, as a list, or as an overflow
// object once there are more than qsArrayLimit values.
func qsCombine(a, b *qsValue) *qsValue {
	if a.overflow {
		return qsAppend(a, b)
	}
	items := qsConcat(a, b)
	if len(items) > qsArrayLimit {
		return qsOverflow(items, len(items)-1)
	}
	return qsArr(items...)
}

// qsMerge is utils.merge(target, source) with qs's default options
// (strictMerge on): it returns target with source merged in, or a new value.
func qsMerge(target, source *qsValue) *qsValue {
	if source == nil || (source.kind == qsString && source.str == "") {
		return target // !source
	}

	if source.kind == qsString {
		switch {
		case target.kind == qsArray && len(target.items) > qsArrayLimit:
			return qsOverflow(qsConcat(target, source), len(target.items))
		case target.kind == qsArray:
			target.items = append(target.items, source)
			return target
		case target.kind == qsObject && target.overflow:
			return qsAppend(target, source)
		}
		return qsArr(target, source)
	}

	if !target.isObject() {
		if source.overflow {
			// target at 0, the source's values one index up.
			obj := qsObj()
			obj.set("0", target)
			for _, k := range source.ownKeys() {
				obj.set(jsNumberString(jsParseInt(k)+1), source.props[k])
			}
			obj.overflow, obj.maxIndex = true, source.maxIndex+1
			return obj
		}
		items := qsConcat(qsArr(target), source)
		if len(items) > qsArrayLimit {
			return qsOverflow(items, len(items)-1)
		}
		return qsArr(items...)
	}

	if target.kind == qsArray && source.kind == qsArray {
		for i, item := range source.items {
			if item == nil {
				continue // forEach skips holes
			}
			if i < len(target.items) && target.items[i] != nil {
				if existing := target.items[i]; existing.isObject() && item.isObject() {
					target.items[i] = qsMerge(existing, item)
				} else {
					target.items = append(target.items, item)
				}
				continue
			}
			for len(target.items) <= i {
				target.items = append(target.items, nil)
			}
			target.items[i] = item
		}
		return target
	}

	acc := target
	if target.kind == qsArray {
		acc = qsArrayToObject(target.items)
	}
	for _, k := range source.ownKeys() {
		value := source.get(k)
		if acc.has(k) {
			acc.set(k, qsMerge(acc.props[k], value))
		} else {
			acc.set(k, value)
		}
		if source.overflow && !acc.overflow {
			acc.overflow, acc.maxIndex = true, source.maxIndex
		}
		if n, ok := canonicalInt(k); acc.overflow && ok && n > acc.maxIndex {
			acc.maxIndex = n
		}
	}
	return acc
}

// qsCompact is utils.compact: it removes the holes of every list.
func qsCompact(v *qsValue) {
	switch v.kind {
	case qsArray:
		items := v.items[:0]
		for _, it := range v.items {
			if it != nil {
				qsCompact(it)
				items = append(items, it)
			}
		}
		v.items = items
	case qsObject:
		for _, it := range v.props {
			qsCompact(it)
		}
	}
}

// qsParse is qs.parse(query) with default options: the values of
// qsParseValues, each name expanded by its brackets and merged, in
// Object.keys order, into one object.
func qsParse(query string) *qsValue {
	result := qsObj()
	if query == "" {
		return result
	}
	values := qsParseValues(query)
	for _, name := range values.ownKeys() {
		if name == "" {
			continue
		}
		segments, ok := qsSplitKey(name)
		if !ok {
			continue
		}
		result = qsMerge(result, qsParseObject(segments, values.props[name]))
	}
	qsCompact(result)
	return result
}

// param is one (name, value) pair of the normalized parameter string.
type param struct{ name, value string }

// flattenParams turns a parsed query into pairs the way the JS SDK's signer
// does: a list gives one pair per element, an object one pair per property
// named name[property], and anything deeper goes through String().
func flattenParams(top *qsValue) []param {
	var out []param
	for _, name := range top.ownKeys() {
		v := top.props[name]
		switch v.kind {
		case qsString:
			out = append(out, param{name, v.str})
		case qsArray:
			for _, it := range v.items {
				out = append(out, param{name, it.jsString()})
			}
		case qsObject:
			for _, k := range v.ownKeys() {
				out = append(out, param{name + "[" + k + "]", v.props[k].jsString()})
			}
		}
	}
	return out
}
