// Package codegen turns the table of ExtraHorizon error codes (codes.txt) into
// codes.go of package exh: the ErrorCode type, one constant per code, and the
// switches that give each code its wire name and category.
//
// The command in cmd/gencodes writes the file (go generate in the module root
// runs it); the root package's tests call Generate to check that the committed
// codes.go is up to date.
package codegen

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"go/format"
	"strconv"
	"strings"
)

//go:embed codes.txt
var table []byte

// Categories are the values of the category column, in the order codes.go
// lists them. Each names a sentinel of package exh: "BadRequest" is ErrBadRequest.
var Categories = []string{"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Server"}

// Code is one row of the table.
type Code struct {
	Num      int    // the "code" field of an error body
	Const    string // the Go name after "ErrCode"; "" when the code has no constant
	Name     string // the documented wire name; "" when none is documented
	Category string // one of Categories; "" when the code has none
	Comment  string // a sentence for the constant's doc comment; may be ""
}

// ConstName returns the Go name of c's constant, or "" when it has none.
func (c Code) ConstName() string {
	if c.Const == "" {
		return ""
	}
	return "ErrCode" + c.Const
}

// Codes returns the rows of the embedded table, in ascending order of Num.
func Codes() ([]Code, error) { return parse(table) }

// Generate returns the contents of codes.go for the embedded table.
func Generate() ([]byte, error) {
	codes, err := Codes()
	if err != nil {
		return nil, err
	}
	return render(codes)
}

// badInitialisms are spellings that Go writes as initialisms (ID, URL, HTTP,
// JSON, RQL, OAuth, PKCE, OIDC, SSO). The MFA family keeps "Mfa" on purpose.
// The map takes each wrong spelling to the right one.
var badInitialisms = map[string]string{
	"Id": "ID", "Url": "URL", "Http": "HTTP", "Json": "JSON", "Rql": "RQL",
	"Oauth": "OAuth", "Pkce": "PKCE", "Oidc": "OIDC", "Sso": "SSO",
}

// parse reads the table: one code per line, "#" starts a comment line, "-"
// stands for an empty column, and the comment is the rest of the line.
func parse(src []byte) ([]Code, error) {
	var (
		codes  []Code
		consts = map[string]bool{}
		names  = map[string]bool{}
	)
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := parseRow(line)
		if err != nil {
			return nil, fmt.Errorf("codes.txt:%d: %w", n, err)
		}
		if len(codes) > 0 && c.Num <= codes[len(codes)-1].Num {
			return nil, fmt.Errorf("codes.txt:%d: code %d is not above the previous code %d", n, c.Num, codes[len(codes)-1].Num)
		}
		if c.Const != "" && consts[c.Const] {
			return nil, fmt.Errorf("codes.txt:%d: constant %s appears twice", n, c.ConstName())
		}
		if c.Name != "" && names[c.Name] {
			return nil, fmt.Errorf("codes.txt:%d: name %s appears twice", n, c.Name)
		}
		consts[c.Const], names[c.Name] = true, true
		codes = append(codes, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(codes) == 0 {
		return nil, errors.New("codes.txt: no codes")
	}
	return codes, nil
}

func parseRow(line string) (Code, error) {
	var cols [4]string
	rest := line
	for i := range cols {
		rest = strings.TrimLeft(rest, " \t")
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		cols[i], rest = rest[:end], rest[end:]
		if cols[i] == "" {
			return Code{}, errors.New("want at least 4 columns: code, constant, name, category")
		}
	}
	var c Code
	num, err := strconv.Atoi(cols[0])
	if err != nil || num <= 0 || cols[0][0] == '0' || cols[0][0] == '+' {
		return Code{}, fmt.Errorf("code %q is not a positive decimal number", cols[0])
	}
	c.Num = num
	c.Const, c.Name, c.Category = dash(cols[1]), dash(cols[2]), dash(cols[3])
	c.Comment = strings.TrimSpace(rest)
	if c.Const != "" {
		if err := checkConst(c.Const); err != nil {
			return Code{}, err
		}
	}
	if c.Name != "" && strings.Trim(c.Name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return Code{}, fmt.Errorf("name %q: want upper-case letters, digits and underscores", c.Name)
	}
	if c.Category != "" && !contains(Categories, c.Category) {
		return Code{}, fmt.Errorf("category %q: want one of %s or -", c.Category, strings.Join(Categories, ", "))
	}
	if c.Const == "" && c.Comment != "" {
		return Code{}, errors.New("a comment needs a constant to document")
	}
	if c.Const == "" && c.Name == "" && c.Category == "" {
		return Code{}, fmt.Errorf("code %d has no constant, name or category", c.Num)
	}
	return c, nil
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkConst checks that "ErrCode"+s is an exported Go identifier that spells
// initialisms the Go way.
func checkConst(s string) error {
	if s[0] < 'A' || s[0] > 'Z' {
		return fmt.Errorf("constant %q: want an upper-case first letter", s)
	}
	if strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return fmt.Errorf("constant %q: want ASCII letters and digits only", s)
	}
	for bad, good := range badInitialisms {
		for i := 0; ; {
			j := strings.Index(s[i:], bad)
			if j < 0 {
				break
			}
			end := i + j + len(bad)
			if end == len(s) || s[end] < 'a' || s[end] > 'z' {
				return fmt.Errorf("constant %q: write %q as %q", s, bad, good)
			}
			i = end
		}
	}
	return nil
}

const header = `// Code generated by internal/codegen/cmd/gencodes from internal/codegen/codes.txt; DO NOT EDIT.

package exh

import "strconv"

// ErrorCode is an ExtraHorizon error code (the "code" field of an error body).
// It implements error, so the constants below work as targets of errors.Is:
//
//	if errors.Is(err, exh.ErrCodeAuthentication) { ... } // wrong email or password
type ErrorCode int

// Error returns the code and its wire name, for example "exh: error 106 AUTHENTICATION_EXCEPTION".
func (c ErrorCode) Error() string {
	if name := c.Name(); name != "" {
		return "exh: error " + strconv.Itoa(int(c)) + " " + name
	}
	return "exh: error " + strconv.Itoa(int(c))
}

// Error codes of the ExtraHorizon services, as the JavaScript SDK's error map
// knows them. Each one's doc gives its wire name and its category sentinel;
// a code without a category is classed by the HTTP status of the answer.
const (
`

// render writes codes.go for codes and formats it with go/format.
func render(codes []Code) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	writeConstants(&b, codes)
	writeNameFunc(&b, codes)
	writeCategoryFunc(&b, codes)
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting codes.go: %w", err)
	}
	return out, nil
}

// writeConstants writes the body of the const block opened by header.
func writeConstants(b *bytes.Buffer, codes []Code) {
	for i, c := range codes {
		if c.Const == "" {
			continue
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "// %s is code %d", c.ConstName(), c.Num)
		if c.Name != "" {
			fmt.Fprintf(b, ", %s", c.Name)
		} else {
			b.WriteString(" (wire name not documented)")
		}
		if c.Category != "" {
			fmt.Fprintf(b, "; category [Err%s].\n", c.Category)
		} else {
			b.WriteString("; no category, so classed by its HTTP status.\n")
		}
		if c.Comment != "" {
			fmt.Fprintf(b, "// %s\n", c.Comment)
		}
		fmt.Fprintf(b, "%s ErrorCode = %d\n", c.ConstName(), c.Num)
	}
	b.WriteString(")\n\n")
}

// writeNameFunc writes ErrorCode.Name.
func writeNameFunc(b *bytes.Buffer, codes []Code) {
	b.WriteString("// Name returns the documented wire name of the code, or \"\" when none is documented.\n")
	b.WriteString("func (c ErrorCode) Name() string {\n\tswitch c {\n")
	for _, c := range codes {
		if c.Name != "" {
			fmt.Fprintf(b, "case %s:\nreturn %q\n", caseLabel(c), c.Name)
		}
	}
	b.WriteString("}\nreturn \"\"\n}\n\n")
}

// writeCategoryFunc writes codeCategory, one case per category.
func writeCategoryFunc(b *bytes.Buffer, codes []Code) {
	b.WriteString("// codeCategory returns the category sentinel the JavaScript SDK's error map\n")
	b.WriteString("// gives code, or nil when it gives none. Bare numbers are codes without a\n")
	b.WriteString("// constant.\n")
	b.WriteString("func codeCategory(code ErrorCode) error {\n\tswitch code {\n")
	for _, cat := range Categories {
		var labels []string
		for _, c := range codes {
			if c.Category == cat {
				labels = append(labels, caseLabel(c))
			}
		}
		if len(labels) > 0 {
			fmt.Fprintf(b, "case %s:\nreturn Err%s\n", strings.Join(labels, ",\n"), cat)
		}
	}
	b.WriteString("}\nreturn nil\n}\n")
}

// caseLabel is how a switch case names c: its constant, or its number when it
// has none.
func caseLabel(c Code) string {
	if c.Const != "" {
		return c.ConstName()
	}
	return strconv.Itoa(c.Num)
}
