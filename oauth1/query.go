package oauth1

import (
	"slices"
	"strings"
)

// addQuery appends the signed pairs of a raw query (docs/protocol.md §2.4) to st.pairs,
// sorted, leaving out the parameters whose top-level name is in over: those
// are overwritten by oauth parameters (docs/protocol.md §2.5). The names in over must
// need no encoding.
//
// The fast path below handles the safe subset of docs/protocol.md §2.4 (plain names,
// RQL, names repeated at most qsArrayLimit times) without maps. Anything else
// goes through the qs model in qs.go.
func (st *state) addQuery(query string, over []string) {
	pairs, kv := len(st.pairs), len(st.kv)
	if st.addQueryFast(query, over) {
		added := st.pairs[pairs:]
		slices.SortFunc(added, st.compare)
		if !st.hasLongRun(added) {
			return
		}
	}
	st.pairs, st.kv = st.pairs[:pairs], st.kv[:kv]
	st.addQuerySlow(query, over)
	slices.SortFunc(st.pairs[pairs:], st.compare)
}

// addQuerySlow is addQuery through the qs model; the names in over may need
// encoding.
func (st *state) addQuerySlow(query string, over []string) {
	skip := func(name string) bool { return slices.Contains(over, name) }
	for _, p := range qsParams(query, skip) {
		st.addParam(p.name, p.value)
	}
}

// addQueryFast adds the pairs of query and reports true, or reports false if
// the query needs the full qs semantics because a name holds a bracket or a
// piece holds "]=" after its first '='. (The other case, a name repeated too
// often, shows once the pairs are sorted.)
func (st *state) addQueryFast(query string, over []string) bool {
	for n := 0; query != "" && n < qsParameterLimit; n++ {
		var piece string
		piece, query = cutByte(query, '&')
		name, value := cutByte(piece, '=')
		ns := len(st.kv)
		var nameBr, valueBr brackets
		st.kv, nameBr = appendDecodeEscaped(st.kv, name, twice)
		vs := len(st.kv)
		st.kv, valueBr = appendDecodeEscaped(st.kv, value, twice)
		switch {
		case nameBr.any || valueBr.equals:
			return false
		case name == "" || isPrototypeName(st.kv[ns:vs]) || isOverwritten(st.kv[ns:vs], over):
			st.kv = st.kv[:ns] // qs drops these (docs/protocol.md §2.4, §2.5)
			continue
		}
		st.pairs = append(st.pairs, pair{span{ns, vs}, span{vs, len(st.kv)}})
	}
	return true
}

// hasLongRun reports whether more than qsArrayLimit of the sorted pairs
// share a name: qs turns such a list into an index-keyed object.
func (st *state) hasLongRun(pairs []pair) bool {
	if len(pairs) <= qsArrayLimit {
		return false
	}
	run := 1
	for i := 1; i < len(pairs); i++ {
		if string(st.bytes(pairs[i].name)) != string(st.bytes(pairs[i-1].name)) {
			run = 1
		} else if run++; run > qsArrayLimit {
			return true
		}
	}
	return false
}

// isOverwritten reports whether the encoded name is one of the names in
// over, which need no encoding.
func isOverwritten(encName []byte, over []string) bool {
	if len(encName) < len("oauth_") || string(encName[:len("oauth_")]) != "oauth_" {
		return false
	}
	for _, o := range over {
		if string(encName) == o {
			return true
		}
	}
	return false
}

// cutByte is strings.Cut with a one-byte separator, which skips Cut's
// general substring search.
func cutByte(s string, sep byte) (before, after string) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}
