package exhtest

import (
	"errors"
	"strconv"
	"strings"
)

// RQL support for GET /auth/v2/oauth1/tokens.
//
// The raw query is split on '&'; each piece is decoded once the qs way (as
// the gateway does) and must then be one RQL call `name(args)`. Values
// inside a call are decoded once more, which undoes the JS SDK's double
// encoding. Supported top-level calls: limit(n) / limit(n,offset),
// skipCount(), select(fields…), sort(±fields…) and the conditions eq, ne,
// in, out, and, or. Anything else is answered with 400/19.

// Paging limits of the token list.
const (
	defaultPageLimit = 20
	maxPageLimit     = 50
)

var errRQL = errors.New("invalid RQL")

// rqlNode is one parsed call or, when op is "", a plain value.
type rqlNode struct {
	op    string
	args  []*rqlNode
	value string
}

// rqlQuery is everything the token list needs from the query string.
type rqlQuery struct {
	conditions []*rqlNode // implicitly and-ed
	limit      int
	offset     int
	skipCount  bool
	selectKeys []string
	sortKeys   []string // each with a leading '+' or '-'
}

func parseRQL(rawQuery string) (*rqlQuery, error) {
	q := &rqlQuery{limit: defaultPageLimit}
	for _, piece := range strings.Split(rawQuery, "&") {
		if piece == "" {
			continue
		}
		p := &rqlParser{text: qsDecode(piece)}
		node, err := p.call()
		if err != nil || p.pos != len(p.text) {
			return nil, errRQL
		}
		if err := q.add(node); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// add applies one top-level call to q.
func (q *rqlQuery) add(n *rqlNode) error {
	switch n.op {
	case "limit":
		if len(n.args) < 1 || len(n.args) > 2 {
			return errRQL
		}
		limit, err := rqlInt(n.args[0])
		if err != nil {
			return err
		}
		offset := 0
		if len(n.args) == 2 {
			if offset, err = rqlInt(n.args[1]); err != nil {
				return err
			}
		}
		q.limit, q.offset = min(limit, maxPageLimit), offset
	case "skipCount":
		if len(n.args) != 0 {
			return errRQL
		}
		q.skipCount = true
	case "select":
		for _, a := range n.args {
			if a.op != "" || a.value == "" {
				return errRQL
			}
			q.selectKeys = append(q.selectKeys, a.value)
		}
	case "sort":
		for _, a := range n.args {
			if a.op != "" || a.value == "" {
				return errRQL
			}
			key := a.value
			switch key[0] {
			case '+', ' ': // a '+' arrives as a space after qs decoding
				key = "+" + key[1:]
			case '-':
			default:
				key = "+" + key
			}
			if len(key) == 1 {
				return errRQL
			}
			q.sortKeys = append(q.sortKeys, key)
		}
	default:
		if err := checkCondition(n); err != nil {
			return err
		}
		q.conditions = append(q.conditions, n)
	}
	return nil
}

// checkCondition validates a condition tree before it is evaluated.
func checkCondition(n *rqlNode) error {
	switch n.op {
	case "eq", "ne":
		if len(n.args) != 2 || n.args[0].op != "" || n.args[1].op != "" {
			return errRQL
		}
	case "in", "out":
		if len(n.args) < 1 {
			return errRQL
		}
		for _, a := range n.args {
			if a.op != "" {
				return errRQL
			}
		}
	case "and", "or":
		for _, a := range n.args {
			if a.op == "" {
				return errRQL
			}
			if err := checkCondition(a); err != nil {
				return err
			}
		}
	default:
		return errRQL
	}
	return nil
}

func rqlInt(n *rqlNode) (int, error) {
	if n.op != "" {
		return 0, errRQL
	}
	v, err := strconv.Atoi(n.value)
	if err != nil || v < 0 || strconv.Itoa(v) != n.value {
		return 0, errRQL
	}
	return v, nil
}

// matches evaluates a checked condition against a record's fields.
func (n *rqlNode) matches(field func(string) (string, bool)) bool {
	switch n.op {
	case "eq", "ne":
		v, ok := field(n.args[0].value)
		equal := ok && v == n.args[1].value
		return equal == (n.op == "eq")
	case "in", "out":
		v, ok := field(n.args[0].value)
		found := false
		for _, a := range n.args[1:] {
			if ok && v == a.value {
				found = true
			}
		}
		return found == (n.op == "in")
	case "and":
		for _, a := range n.args {
			if !a.matches(field) {
				return false
			}
		}
		return true
	case "or":
		for _, a := range n.args {
			if a.matches(field) {
				return true
			}
		}
		return false
	}
	return false
}

// rqlParser is a small recursive-descent parser over one decoded piece.
type rqlParser struct {
	text string
	pos  int
}

// call parses `name(arg,arg,…)`.
func (p *rqlParser) call() (*rqlNode, error) {
	start := p.pos
	for p.pos < len(p.text) && isLetter(p.text[p.pos]) {
		p.pos++
	}
	if p.pos == start || p.pos >= len(p.text) || p.text[p.pos] != '(' {
		return nil, errRQL
	}
	n := &rqlNode{op: p.text[start:p.pos]}
	p.pos++ // '('
	if p.pos < len(p.text) && p.text[p.pos] == ')' {
		p.pos++
		return n, nil
	}
	for {
		arg, err := p.arg()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, arg)
		if p.pos >= len(p.text) {
			return nil, errRQL
		}
		switch p.text[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return n, nil
		default:
			return nil, errRQL
		}
	}
}

// arg parses a nested call or a value up to the next ',' or ')'. Values are
// percent-decoded (the second decoding of double-encoded RQL).
func (p *rqlParser) arg() (*rqlNode, error) {
	end := p.pos
	for end < len(p.text) && isLetter(p.text[end]) {
		end++
	}
	if end > p.pos && end < len(p.text) && p.text[end] == '(' {
		return p.call()
	}
	start := p.pos
	for p.pos < len(p.text) && p.text[p.pos] != ',' && p.text[p.pos] != ')' {
		if p.text[p.pos] == '(' {
			return nil, errRQL
		}
		p.pos++
	}
	value, ok := strictUnescape(p.text[start:p.pos])
	if !ok {
		return nil, errRQL
	}
	return &rqlNode{value: value}, nil
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
