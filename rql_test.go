package exh

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRQLOperators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    *RQLBuilder
		want string
	}{
		{"select", RQL().Select("name", "id"), "?select(name,id)"},
		{"select one", RQL().Select("name"), "?select(name)"},
		{"select none", RQL().Select(), "?select()"},
		{"select quoted name", RQL().Select("'first name'", "id"), "?select('first name',id)"},
		{"limit", RQL().Limit(10), "?limit(10)"},
		{"limit offset", RQL().Limit(10, 15), "?limit(10,15)"},
		{"limit zero offset dropped", RQL().Limit(10, 0), "?limit(10)"},
		{"limit negative offset kept", RQL().Limit(10, -5), "?limit(10,-5)"},
		{"limit extra offsets ignored", RQL().Limit(5, 10, 99), "?limit(5,10)"},
		{"select then limit", RQL().Select("name").Limit(10, 15), "?select(name)&limit(10,15)"},
		{"sort", RQL().Sort("name"), "?sort(name)"},
		{"sort descending", RQL().Select("name", "id").Sort("-name"), "?select(name,id)&sort(-name)"},
		{"sort several", RQL().Sort("+name", "-description"), "?sort(+name,-description)"},
		{"in", RQL().Select("name", "id").In("name", "fitbit"), "?select(name,id)&in(name,fitbit)"},
		{"in several", RQL().In("id", "a", "b c"), "?in(id,a,b%2520c)"},
		{"in none", RQL().In("id"), "?in(id,)"},
		{"out", RQL().Out("tags", "x", "y-z"), "?out(tags,x,y%252Dz)"},
		{"out none", RQL().Out("tags"), "?out(tags,)"},
		{"eq", RQL().Eq("name", "test"), "?eq(name,test)"},
		{"ne", RQL().Ne("value", "10"), "?ne(value,10)"},
		{"lt", RQL().Lt("value", "10"), "?lt(value,10)"},
		{"le", RQL().Le("value", "10"), "?le(value,10)"},
		{"gt", RQL().Gt("value", "10"), "?gt(value,10)"},
		{"ge", RQL().Ge("value", "10"), "?ge(value,10)"},
		{"like", RQL().Select("name", "id").Like("name", "fitbit"), "?select(name,id)&like(name,fitbit)"},
		{"field is not encoded", RQL().Eq("data.heart_rate-x", "1"), "?eq(data.heart_rate-x,1)"},
		{"empty value", RQL().Eq("name", ""), "?eq(name,)"},
		{"and one", RQL().And(RQL().Eq("value", "10")), "?and(eq(value,10))"},
		{"and two", RQL().And(RQL().Lt("value", "20"), RQL().Gt("value", "10")), "?and(lt(value,20),gt(value,10))"},
		{"and of multi-operator builder", RQL().And(RQL().Eq("a", "1").Eq("b", "2")), "?and(and(eq(a,1),eq(b,2)))"},
		{"and skips nil and empty", RQL().And(nil, RQL(), RQL().Ne("value", "10")), "?and(ne(value,10))"},
		{"and of nothing adds nothing", RQL().Eq("a", "1").And().And(nil, RQL()), "?eq(a,1)"},
		{"or", RQL().Or(RQL().Like("name", "bitfit"), RQL().Like("name", "fitbit")), "?or(like(name,bitfit),like(name,fitbit))"},
		{"or of nothing adds nothing", RQL().Or(), ""},
		{"contains field", RQL().Contains("staff_enlistments"), "?contains(staff_enlistments)"},
		{"contains one", RQL().Contains("staff", RQL().Eq("group_id", "2313232")), "?contains(staff,and(eq(group_id,2313232)))"},
		{"contains two", RQL().Contains("staff_enlistments", RQL().Gt("id", "60"), RQL().Lt("id", "90")), "?contains(staff_enlistments,and(gt(id,60),lt(id,90)))"},
		{"contains empty conditions", RQL().Contains("f", nil, RQL()), "?contains(f)"},
		{"excludes field", RQL().Excludes("staff_enlistments"), "?excludes(staff_enlistments)"},
		{"excludes two", RQL().Excludes("staff_enlistments", RQL().Gt("id", "60"), RQL().Lt("id", "90")), "?excludes(staff_enlistments,and(gt(id,60),lt(id,90)))"},
		{"skipCount", RQL().SkipCount(), "?skipCount()"},
		{"skipCount in and", RQL().And(RQL().Eq("firstName", "Joe"), RQL().Eq("secondName", "Bloggs"), RQL().SkipCount()), "?and(eq(firstName,Joe),eq(secondName,Bloggs),skipCount())"},
		{"skipCount in or", RQL().Or(RQL().Eq("firstName", "Joe"), RQL().Eq("secondName", "Bloggs"), RQL().SkipCount()), "?or(eq(firstName,Joe),eq(secondName,Bloggs),skipCount())"},
		{
			"contains, or and limit (JS SDK example)",
			RQL().Contains("staff_enlistments", RQL().Eq("group_id", "2313232")).
				Or(RQL().Like("first_name", "Test"), RQL().Like("last_name", "Test")).
				Limit(20, 20),
			"?contains(staff_enlistments,and(eq(group_id,2313232)))&or(like(first_name,Test),like(last_name,Test))&limit(20,20)",
		},
		{"duplicate operator added once", RQL().Eq("a", "1").SkipCount().Eq("a", "1").SkipCount(), "?eq(a,1)&skipCount()"},
	}
	for _, tt := range tests {
		if got := tt.b.Build(); got != tt.want {
			t.Errorf("%s: Build() = %q, want %q", tt.name, got, tt.want)
		}
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRQLSpecVectorV4(t *testing.T) {
	t.Parallel()
	got := RQL().Eq("name", "Hypertension - STAGE 1").Limit(5, 10).Build()
	want := "?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestRQLDoubleEncoding checks the encodings the JavaScript SDK's own tests
// expect.
func TestRQLDoubleEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    *RQLBuilder
		want string
	}{
		{"space", RQL().Eq("a", "a b"), "?eq(a,a%2520b)"},
		{"eq", RQL().Eq("name", "~> & Tester & <~"), "?eq(name,%257E%253E%2520%2526%2520Tester%2520%2526%2520%253C%257E)"},
		{"eq slash and at", RQL().Eq("data.diagnosis", "Blood pressure @130/80 - Hypertension"), "?eq(data.diagnosis,Blood%2520pressure%2520%2540130%252F80%2520%252D%2520Hypertension)"},
		{"ne", RQL().Ne("data.diagnosis", "Hypertension - STAGE 1"), "?ne(data.diagnosis,Hypertension%2520%252D%2520STAGE%25201)"},
		{"like", RQL().Like("data.diagnosis", "Hypertension - STAGE"), "?like(data.diagnosis,Hypertension%2520%252D%2520STAGE)"},
		{"ge", RQL().Ge("category", "B & C"), "?ge(category,B%2520%2526%2520C)"},
		{"gt", RQL().Gt("category", "B & C"), "?gt(category,B%2520%2526%2520C)"},
		{"le", RQL().Le("category", "A & B"), "?le(category,A%2520%2526%2520B)"},
		{"lt", RQL().Lt("category", "A & B"), "?lt(category,A%2520%2526%2520B)"},
		{"in non-ASCII", RQL().In("tags", "ʘ︵ʘ", "ಠ_ಠ"), "?in(tags,%25CA%2598%25EF%25B8%25B5%25CA%2598,%25E0%25B2%25A0%255F%25E0%25B2%25A0)"},
		{"out non-ASCII", RQL().Out("tags", "ʘ︵ʘ", "ಠ_ಠ"), "?out(tags,%25CA%2598%25EF%25B8%25B5%25CA%2598,%25E0%25B2%25A0%255F%25E0%25B2%25A0)"},
		{"marks JS leaves alone", RQL().Eq("a", "-_.!~*'()"), "?eq(a,%252D%255F%252E%2521%257E%252A%2527%2528%2529)"},
		{
			"nested and",
			RQL().And(RQL().Eq("firstName", "~> Tester <~"), RQL().Eq("lastName", "<! McTestFace !>")).
				And(RQL().Ne("firstName", "<! McTestFace !>"), RQL().Ne("lastName", "~> Tester <~")),
			"?and(eq(firstName,%257E%253E%2520Tester%2520%253C%257E),eq(lastName,%253C%2521%2520McTestFace%2520%2521%253E))" +
				"&and(ne(firstName,%253C%2521%2520McTestFace%2520%2521%253E),ne(lastName,%257E%253E%2520Tester%2520%253C%257E))",
		},
	}
	for _, tt := range tests {
		if got := tt.b.Build(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestRQLEncodeEveryByte checks the encoding of each byte value on its own:
// letters and digits stay, everything else becomes %25XX with upper-case hex.
func TestRQLEncodeEveryByte(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		v := string([]byte{byte(c)})
		want := fmt.Sprintf("%%25%02X", c)
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			want = v
		}
		if got := RQL().Eq("f", v).Build(); got != "?eq(f,"+want+")" {
			t.Errorf("byte %#02x: got %q, want %q", c, got, "?eq(f,"+want+")")
		}
	}
}

func TestRQLDoubleEncodeValuesOff(t *testing.T) {
	t.Parallel()
	v := "~> & Tester & <~"
	if got, want := RQL().DoubleEncodeValues(false).Eq("name", v).Build(), "?eq(name,"+v+")"; got != want {
		t.Errorf("off: got %q, want %q", got, want)
	}
	if got, want := RQL().DoubleEncodeValues(false).In("firstNames", "~> Tester <~").Out("lastNames", "<! McTestFace !>").Build(),
		"?in(firstNames,~> Tester <~)&out(lastNames,<! McTestFace !>)"; got != want {
		t.Errorf("off in/out: got %q, want %q", got, want)
	}
	// The setting applies to values added after it; earlier values keep theirs.
	b := RQL().Eq("a", "x y").DoubleEncodeValues(false).Eq("b", "x%20y").DoubleEncodeValues(true).Eq("c", "x y")
	if got, want := b.Build(), "?eq(a,x%2520y)&eq(b,x%20y)&eq(c,x%2520y)"; got != want {
		t.Errorf("switching: got %q, want %q", got, want)
	}
	// A sub-builder's values are encoded by the sub-builder's own setting.
	raw := RQL().DoubleEncodeValues(false).Eq("a", "x%20y")
	if got, want := RQL().And(raw, RQL().Eq("b", "x y")).Build(), "?and(eq(a,x%20y),eq(b,x%2520y))"; got != want {
		t.Errorf("mixed sub-builders: got %q, want %q", got, want)
	}
	// Fields, Select and Sort are never encoded, whatever the setting.
	if got, want := RQL().DoubleEncodeValues(true).Select("a.b").Sort("-c_d").Eq("e-f", "1").Build(), "?select(a.b)&sort(-c_d)&eq(e-f,1)"; got != want {
		t.Errorf("fields: got %q, want %q", got, want)
	}
}

func TestRQLEmpty(t *testing.T) {
	t.Parallel()
	var zero RQLBuilder
	var nilB *RQLBuilder
	for name, b := range map[string]*RQLBuilder{"RQL()": RQL(), "zero value": &zero, "nil": nilB} {
		if got := b.Build(); got != "" {
			t.Errorf("%s: Build() = %q, want empty", name, got)
		}
		if got := b.String(); got != "" {
			t.Errorf("%s: String() = %q, want empty", name, got)
		}
		if got := b.Intermediate(); got != "" {
			t.Errorf("%s: Intermediate() = %q, want empty", name, got)
		}
		if b.HasOperator("limit") || b.HasOperator("") {
			t.Errorf("%s: HasOperator reports an operator", name)
		}
	}
	// The zero value double-encodes, like RQL().
	if got, want := zero.Eq("a", "b c").Build(), "?eq(a,b%2520c)"; got != want {
		t.Errorf("zero value: got %q, want %q", got, want)
	}
	// A method that adds an operator to a nil builder starts a new one.
	if got, want := nilB.Eq("a", "b c").Build(), "?eq(a,b%2520c)"; got != want {
		t.Errorf("nil Eq: got %q, want %q", got, want)
	}
	if got, want := nilB.DoubleEncodeValues(false).Eq("a", "b c").Build(), "?eq(a,b c)"; got != want {
		t.Errorf("nil DoubleEncodeValues: got %q, want %q", got, want)
	}
	if got, want := nilB.Limit(3).Build(), "?limit(3)"; got != want {
		t.Errorf("nil Limit: got %q, want %q", got, want)
	}
}

func TestRQLIntermediate(t *testing.T) {
	t.Parallel()
	if got, want := RQL().Eq("name", "test").Intermediate(), "eq(name,test)"; got != want {
		t.Errorf("one: got %q, want %q", got, want)
	}
	if got, want := RQL().Eq("name", "test").Lt("age", "20").Intermediate(), "and(eq(name,test),lt(age,20))"; got != want {
		t.Errorf("two: got %q, want %q", got, want)
	}
	b, err := ParseRQL("?eq(a,1)&limit(5)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Intermediate(), "and(eq(a,1),limit(5))"; got != want {
		t.Errorf("parsed: got %q, want %q", got, want)
	}
}

func TestRQLLimitReplaces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start string
		limit []int
		want  string
	}{
		{"only", "limit(5)", []int{10}, "?limit(10)"},
		{"first", "limit(5)&eq(a,1)&eq(b,2)", []int{10}, "?eq(a,1)&eq(b,2)&limit(10)"},
		{"middle (bug #910)", "eq(a,1)&limit(5)&eq(b,2)", []int{10}, "?eq(a,1)&eq(b,2)&limit(10)"},
		{"last", "eq(a,1)&eq(b,2)&limit(5,20)", []int{10, 30}, "?eq(a,1)&eq(b,2)&limit(10,30)"},
		{"several", "limit(1)&eq(a,1)&limit(2,3)&eq(b,2)", []int{4, 0}, "?eq(a,1)&eq(b,2)&limit(4)"},
		{"same limit again", "eq(a,1)&limit(5)", []int{5}, "?eq(a,1)&limit(5)"},
		{"none before", "eq(a,1)", []int{5}, "?eq(a,1)&limit(5)"},
		{"nested limit kept", "and(limit(5),eq(a,1))", []int{10}, "?and(limit(5),eq(a,1))&limit(10)"},
		{"other operator with limit in its name kept", "xlimit(5)&limits(1)", []int{10}, "?xlimit(5)&limits(1)&limit(10)"},
	}
	for _, tt := range tests {
		b, err := ParseRQL(tt.start)
		if err != nil {
			t.Fatalf("%s: ParseRQL(%q): %v", tt.name, tt.start, err)
		}
		if got := b.Limit(tt.limit[0], tt.limit[1:]...).Build(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	got := RQL().Eq("name", "test").Limit(5).Eq("name2", "test").Limit(6).Build()
	if want := "?eq(name,test)&eq(name2,test)&limit(6)"; got != want {
		t.Errorf("chain: got %q, want %q", got, want)
	}
}

func TestRQLHasOperator(t *testing.T) {
	t.Parallel()
	b := RQL().Eq("limit", "1").And(RQL().SkipCount()).Select("skipCount")
	for _, name := range []string{"limit", "skipCount", "skip", "eq(", "Eq", "and(skipCount())"} {
		if b.HasOperator(name) {
			t.Errorf("HasOperator(%q) = true, want false", name)
		}
	}
	for _, name := range []string{"eq", "and", "select"} {
		if !b.HasOperator(name) {
			t.Errorf("HasOperator(%q) = false, want true", name)
		}
	}
	b.Limit(50).SkipCount()
	if !b.HasOperator("limit") || !b.HasOperator("skipCount") {
		t.Errorf("HasOperator misses limit or skipCount in %q", b.Build())
	}
	p, err := ParseRQL("?select(id)&limit(10,20)")
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasOperator("limit") || !p.HasOperator("select") || p.HasOperator("skipCount") {
		t.Errorf("parsed builder: wrong HasOperator answers for %q", p.Build())
	}
}

func TestRQLNoAliasing(t *testing.T) {
	t.Parallel()
	sub := RQL().Eq("a", "1")
	b := RQL().And(sub).Or(sub).Contains("f", sub)
	sub.Eq("b", "2").Limit(3)
	if got, want := b.Build(), "?and(eq(a,1))&or(eq(a,1))&contains(f,and(eq(a,1)))"; got != want {
		t.Errorf("changing a sub-builder changed its parent: got %q, want %q", got, want)
	}
	self := RQL().Eq("a", "1").Eq("b", "2")
	self.And(self)
	if got, want := self.Build(), "?eq(a,1)&eq(b,2)&and(and(eq(a,1),eq(b,2)))"; got != want {
		t.Errorf("And of itself: got %q, want %q", got, want)
	}
	p1, err := ParseRQL("limit(1)&eq(a,1)&eq(b,2)&eq(c,3)")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ParseRQL(p1.Build())
	if err != nil {
		t.Fatal(err)
	}
	p1.Limit(9)
	p2.Eq("d", "4")
	if got, want := p1.Build(), "?eq(a,1)&eq(b,2)&eq(c,3)&limit(9)"; got != want {
		t.Errorf("p1: got %q, want %q", got, want)
	}
	if got, want := p2.Build(), "?limit(1)&eq(a,1)&eq(b,2)&eq(c,3)&eq(d,4)"; got != want {
		t.Errorf("p2: got %q, want %q", got, want)
	}
}

func TestRQLRepeatedOperatorStaysUnderQsArrayLimit(t *testing.T) {
	t.Parallel()
	b := RQL()
	for range 25 {
		b.Eq("a", "1").SkipCount().In("id", "x", "y")
	}
	if got, want := b.Build(), "?eq(a,1)&skipCount()&in(id,x,y)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p, err := ParseRQL(strings.Repeat("eq(a,1)&", 24) + "eq(a,1)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Build(), "?eq(a,1)"; got != want {
		t.Errorf("parsed: got %q, want %q", got, want)
	}
}

func TestParseRQL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"?", ""},
		{"?select(id,name)&limit(10)&eq(userId,abc)", "?select(id,name)&limit(10)&eq(userId,abc)"},
		{"select(id,name)&limit(10)&eq(userId,abc)", "?select(id,name)&limit(10)&eq(userId,abc)"},
		{"or(like(name,bi,tfit),eq(),like(name,fitbit))", "?or(like(name,bi,tfit),eq(),like(name,fitbit))"},
		{"eq(timestamp,1970-01-01T00:00:00.000Z)", "?eq(timestamp,1970-01-01T00:00:00.000Z)"},
		{"?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)", "?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)"},
		{"contains(staff,and(gt(id,60),lt(id,90)))&skipCount()", "?contains(staff,and(gt(id,60),lt(id,90)))&skipCount()"},
		{"in(tags,(a,b),())", "?in(tags,(a,b),())"},
		{"eq(path,a/b)&sort(+name,-date)", "?eq(path,a/b)&sort(+name,-date)"},
		{"eq(,)&ne(a,)&lt(,b)", "?eq(,)&ne(a,)&lt(,b)"},
		{"eq(a,%E2%82%AC)&eq(b,%3C)&eq(c,%3D)&eq(d,%26)", "?eq(a,%E2%82%AC)&eq(b,%3C)&eq(c,%3D)&eq(d,%26)"},
		{"eq(a,string:x)&gt(b,$1)&eq(c,*)", "?eq(a,string:x)&gt(b,$1)&eq(c,*)"},
		{"eq(constructor,1)&eq(toString,2)", "?eq(constructor,1)&eq(toString,2)"},
		{"_x1(a)", "?_x1(a)"},
		{"eq(a,1)&eq(a,1)&eq(b,2)&eq(a,1)", "?eq(a,1)&eq(b,2)"},
	}
	for _, tt := range tests {
		b, err := ParseRQL(tt.in)
		if err != nil {
			t.Errorf("ParseRQL(%q): %v", tt.in, err)
			continue
		}
		if got := b.Build(); got != tt.want {
			t.Errorf("ParseRQL(%q).Build() = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" {
			if got, want := b.Eq("x", "y z").Build(), tt.want+"&eq(x,y%2520z)"; got != want {
				t.Errorf("ParseRQL(%q).Eq: got %q, want %q", tt.in, got, want)
			}
		}
	}
}

func TestParseRQLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"or((like(name,btfit))", "missing ')'"},
		{"eq(a,1", "missing ')'"},
		{"eq(a,1))", "expected '&'"},
		{"eq", "expected '(' after the operator name"},
		{"eq&lt(a,1)", "expected '(' after the operator name"},
		{"(a,b)", "expected an operator name"},
		{"&eq(a,1)", "expected an operator name"},
		{"eq(a,1)&", "expected an operator after '&'"},
		{"eq(a,1)&&eq(b,2)", "expected an operator name"},
		{"eq(a,1)eq(b,2)", "expected '&'"},
		{"eq(a,b)c", "expected '&'"},
		{"eq(a,1)|eq(b,2)", "'|' between top-level operators"},
		{"and(eq(a,1)&eq(b,2))", "'&' inside parentheses"},
		{"or(eq(a,1)|eq(b,2))", "'|' inside parentheses"},
		{"eq(a,b(c)d)", "expected ',' or ')'"},
		{"eq(a,(b)(c))", "expected ',' or ')'"},
		{"eq(a.b(c))", "invalid operator name"},
		{"eq(a,1b(c))", "invalid operator name"},
		{"1eq(a)", "expected an operator name"},
		{"??eq(a,1)", "expected an operator name"},
		{" eq(a,1)", "expected an operator name"},
		{"eq(a,b c)", "found ' '"},
		{"eq(a,b=c)", "found '='"},
		{"a=b", "found '='"},
		{"eq(a[b],c)", "found '['"},
		{"eq(a,'x')", "found '\\''"},
		{"eq(a,#)", "found '#'"},
		{"eq(a,é)", "non-ASCII"},
		{"eq(a,\x00)", "control"},
		{"eq(a%5Bb%5D,c)", "'[' or ']' after percent-decoding"},
		{"eq(a,%5b)", "'[' or ']' after percent-decoding"},
		{"eq(a,%5D)", "'[' or ']' after percent-decoding"},
		{"eq(a,%ZZ)", "malformed percent-encoding"},
		{"eq(a,%2)", "malformed percent-encoding"},
		{"eq(a,%)", "malformed percent-encoding"},
		{"eq(a,%C3)", "malformed percent-encoding"},
		{"eq(a,%ED%A0%80)", "malformed percent-encoding"},
		{"eq(a,%C0%AF)", "malformed percent-encoding"},
		{"constructor(a)", "prototype member"},
		{"toStringify(a)", "prototype member"},
		{"eq(a,1)&__proto__()", "prototype member"},
		{"hasOwnProperty(x)", "prototype member"},
	}
	for _, tt := range tests {
		b, err := ParseRQL(tt.in)
		if err == nil {
			t.Errorf("ParseRQL(%q) = %q, want an error", tt.in, b.Build())
			continue
		}
		if b != nil {
			t.Errorf("ParseRQL(%q) returned a builder with its error", tt.in)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "exh: invalid RQL at byte ") || !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("ParseRQL(%q) error = %q, want it to contain %q", tt.in, msg, tt.wantMsg)
		}
	}
}

func TestParseRQLErrorOffsetAndNoQueryText(t *testing.T) {
	t.Parallel()
	_, err := ParseRQL("?eq(email,john@example.com)")
	if err == nil {
		t.Fatal("want an error")
	}
	if got, want := err.Error(), "exh: invalid RQL at byte 14: expected ',' or ')' or an argument, found '@'"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = ParseRQL("eq(email,johnexamplecom)&lt(a,b)x")
	if err == nil || strings.Contains(err.Error(), "john") {
		t.Errorf("error %v must exist and must not quote the query", err)
	}
}

func TestParseRQLRoundTrip(t *testing.T) {
	t.Parallel()
	builders := []*RQLBuilder{
		RQL().Eq("name", "Hypertension - STAGE 1").Limit(5, 10),
		RQL().Select("id", "name").Sort("-creationTimestamp").In("id", "a[b]", "c=d", "e&f").SkipCount(),
		RQL().Or(RQL().Eq("a", "ʘ︵ʘ"), RQL().Contains("staff", RQL().Gt("age", "30"), RQL().Like("name", "%_%"))),
		RQL().Excludes("tags").Ne("x", "constructor").Out("y", "\xff\xfe", ""),
	}
	for _, b := range builders {
		s := b.Build()
		p, err := ParseRQL(s)
		if err != nil {
			t.Errorf("ParseRQL(%q): %v", s, err)
			continue
		}
		if got := p.Build(); got != s {
			t.Errorf("round trip: got %q, want %q", got, s)
		}
		if got, want := p.Intermediate(), b.Intermediate(); got != want {
			t.Errorf("round trip intermediate: got %q, want %q", got, want)
		}
	}
}

// rqlTestPrototypeNames lists Object.prototype members, kept apart from the
// list in rql.go so that the test does not trust it.
var rqlTestPrototypeNames = []string{
	"constructor", "__proto__", "toString", "toLocaleString", "valueOf", "hasOwnProperty",
	"isPrototypeOf", "propertyIsEnumerable", "__defineGetter__", "__defineSetter__",
	"__lookupGetter__", "__lookupSetter__",
}

// rqlTestCheckSigningSafe checks that query q stays in the subset of
// spec/protocol.md §1.5 that signs the same everywhere. It parses q as qs does
// (split on '&', name up to the first '=', '+' as space, one percent-decode,
// raw text kept when decoding fails), with net/url rather than the code under
// test. With fromValues, the builder wrote only trusted field names and
// double-encoded values, so no '=' or '&' may appear even after decoding.
func rqlTestCheckSigningSafe(t *testing.T, q string, fromValues bool) {
	t.Helper()
	if q == "" {
		return
	}
	if !strings.HasPrefix(q, "?") {
		t.Fatalf("query %q does not start with '?'", q)
	}
	counts := map[string]int{}
	for _, piece := range strings.Split(q[1:], "&") {
		if piece == "" {
			t.Fatalf("query %q has an empty piece", q)
		}
		if strings.Contains(piece, "=") {
			t.Fatalf("piece %q of %q contains '=': qs would split it into name and value", piece, q)
		}
		name, err := url.QueryUnescape(piece)
		if err != nil || !utf8.ValidString(name) {
			name = strings.ReplaceAll(piece, "+", " ")
		}
		if strings.ContainsAny(name, "[]") {
			t.Fatalf("piece %q of %q contains '[' or ']' after one decode: %q", piece, q, name)
		}
		if fromValues && strings.ContainsAny(name, "=&") {
			t.Fatalf("piece %q of %q contains '=' or '&' after one decode: %q", piece, q, name)
		}
		for _, p := range rqlTestPrototypeNames {
			if strings.HasPrefix(name, p) {
				t.Fatalf("piece %q of %q starts with the prototype name %q", piece, q, p)
			}
		}
		if !strings.Contains(piece, "(") || !strings.HasSuffix(piece, ")") {
			t.Fatalf("piece %q of %q is not an operator", piece, q)
		}
		depth := 0
		for _, c := range piece {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth < 0 {
				break
			}
		}
		if depth != 0 {
			t.Fatalf("piece %q of %q has unbalanced parentheses", piece, q)
		}
		counts[name]++
		if counts[name] > 20 {
			t.Fatalf("name %q repeated more than 20 times in %q", name, q)
		}
	}
	p, err := ParseRQL(q)
	if err != nil {
		t.Fatalf("ParseRQL(%q): %v", q, err)
	}
	if got := p.Build(); got != q {
		t.Fatalf("ParseRQL(%q).Build() = %q", q, got)
	}
}

var rqlTestHostile = []string{
	"[", "]", "a[b]", "a[]", "[0]", "&", "=", "]=", "a=b&c=d", "+", "%", "%25", "%5B", "%5b%5D", "%ZZ",
	"(", ")", ",", "'", "\"", "#", "?", "/", "\\", " ", "\t", "\n", "\x00", "\x7f", "é", "ü", "€", "😀",
	"ʘ︵ʘ", "\xff", "\xc3", "\xed\xa0\x80", "constructor", "__proto__", "toString", "hasOwnProperty",
	"limit(5)", "skipCount()", "eq(a,1)", "~", "*", "!", "-", "_", ".", ":", "$1", "|",
}

// rqlTestValue returns a random value made of hostile pieces, random bytes and
// random runes.
func rqlTestValue(r *rand.Rand) string {
	var sb strings.Builder
	for range r.IntN(5) {
		switch r.IntN(4) {
		case 0, 1:
			sb.WriteString(rqlTestHostile[r.IntN(len(rqlTestHostile))])
		case 2:
			sb.WriteByte(byte(r.IntN(256)))
		default:
			sb.WriteRune(rune(r.IntN(0x110000)))
		}
	}
	return sb.String()
}

var rqlTestFields = []string{"name", "data.heartRate", "user_id", "a1", "constructor", "toString", "x-y"}

// rqlTestBuilder builds a random expression with hostile values and trusted
// field names.
func rqlTestBuilder(r *rand.Rand, depth int) *RQLBuilder {
	field := func() string { return rqlTestFields[r.IntN(len(rqlTestFields))] }
	subs := func() []*RQLBuilder {
		var out []*RQLBuilder
		if depth <= 0 {
			return out
		}
		for range r.IntN(3) {
			out = append(out, rqlTestBuilder(r, depth-1))
		}
		return out
	}
	values := func() []string {
		var out []string
		for range r.IntN(4) {
			out = append(out, rqlTestValue(r))
		}
		return out
	}
	b := RQL()
	for range 1 + r.IntN(4) {
		switch r.IntN(16) {
		case 0:
			b.Eq(field(), rqlTestValue(r))
		case 1:
			b.Ne(field(), rqlTestValue(r))
		case 2:
			b.Lt(field(), rqlTestValue(r))
		case 3:
			b.Le(field(), rqlTestValue(r))
		case 4:
			b.Gt(field(), rqlTestValue(r))
		case 5:
			b.Ge(field(), rqlTestValue(r))
		case 6:
			b.Like(field(), rqlTestValue(r))
		case 7:
			b.In(field(), values()...)
		case 8:
			b.Out(field(), values()...)
		case 9:
			b.And(subs()...)
		case 10:
			b.Or(subs()...)
		case 11:
			b.Contains(field(), subs()...)
		case 12:
			b.Excludes(field(), subs()...)
		case 13:
			b.Limit(r.IntN(100), r.IntN(3)*10)
		case 14:
			b.Select(field(), field()).Sort("+"+field(), "-"+field())
		default:
			b.SkipCount()
		}
	}
	return b
}

func TestRQLRandomExpressionsAreSigningSafe(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2024, 910))
	for range 3000 {
		b := rqlTestBuilder(r, 3)
		rqlTestCheckSigningSafe(t, b.Build(), true)
		if inter := b.Intermediate(); inter != "" {
			rqlTestCheckSigningSafe(t, "?"+inter, true)
		}
	}
}

// rqlTestCheckValue checks that a value goes into every value operator in a
// signing-safe form and comes back after two percent-decodings.
func rqlTestCheckValue(t *testing.T, v string) {
	t.Helper()
	q := RQL().Eq("f", v).Build()
	arg, ok := strings.CutPrefix(q, "?eq(f,")
	if !ok || !strings.HasSuffix(arg, ")") {
		t.Fatalf("Eq(f, %q) = %q", v, q)
	}
	arg = strings.TrimSuffix(arg, ")")
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '%') {
			t.Fatalf("Eq(f, %q) = %q: byte %q outside [A-Za-z0-9%%]", v, q, c)
		}
	}
	once, err := url.PathUnescape(arg)
	if err != nil {
		t.Fatalf("first decode of %q: %v", arg, err)
	}
	twice, err := url.PathUnescape(once)
	if err != nil {
		t.Fatalf("second decode of %q: %v", once, err)
	}
	if twice != v {
		t.Fatalf("Eq(f, %q): value decodes back to %q", v, twice)
	}
	sub := RQL().Ne("g", v).In("h", v, v)
	for _, b := range []*RQLBuilder{
		RQL().Eq("f", v), RQL().Ne("f", v), RQL().Lt("f", v), RQL().Le("f", v), RQL().Gt("f", v),
		RQL().Ge("f", v), RQL().Like("f", v), RQL().In("f", v, "x", v), RQL().Out("f", v),
		RQL().And(sub, RQL().Eq("f", v)), RQL().Or(sub), RQL().Contains("f", sub), RQL().Excludes("f", sub),
	} {
		rqlTestCheckSigningSafe(t, b.Build(), true)
	}
}

func FuzzRQLValue(f *testing.F) {
	for _, s := range rqlTestHostile {
		f.Add(s)
	}
	for _, s := range []string{
		"", "a b", "Hypertension - STAGE 1", "~> & Tester & <~", "a[b]=c&d[]=e", "%2520", "+-_.!~*'()",
		"Blood pressure @130/80 - Hypertension", "\xff\xfe\x00", strings.Repeat("[", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(rqlTestCheckValue)
}

// FuzzParseRQL checks that ParseRQL never panics, and that what it accepts is
// signing-safe and parses again to the same query.
func FuzzParseRQL(f *testing.F) {
	for _, s := range []string{
		"", "?", "?select(id,name)&limit(10)&eq(userId,abc)", "or((like(name,btfit))", "eq(a,%5B)",
		"contains(staff,and(gt(id,60),lt(id,90)))&skipCount()", "in(tags,(a,b),())", "eq(a,%ED%A0%80)",
		"constructor(a)", "eq(a,1)&limit(5)&eq(b,2)", "eq(a,b)c", "and(eq(a,1)&eq(b,2))", "eq(a,+b)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseRQL(s)
		if err != nil {
			if b != nil {
				t.Fatalf("ParseRQL(%q) returned a builder with an error", s)
			}
			return
		}
		rqlTestCheckSigningSafe(t, b.Build(), false)
		b.Limit(7, 3).Eq("x", s)
		rqlTestCheckSigningSafe(t, b.Build(), false)
		if !b.HasOperator("limit") {
			t.Fatalf("no limit in %q", b.Build())
		}
	})
}

func ExampleRQL() {
	q := RQL().
		Select("id", "name").
		Eq("name", "Hypertension - STAGE 1").
		Or(RQL().Gt("age", "60"), RQL().In("tags", "a&b", "c")).
		Limit(5, 10)
	fmt.Println(q.Build())
	fmt.Println(RQL().Eq("a", "1").Lt("b", "2").Intermediate())
	// Output:
	// ?select(id,name)&eq(name,Hypertension%2520%252D%2520STAGE%25201)&or(gt(age,60),in(tags,a%2526b,c))&limit(5,10)
	// and(eq(a,1),lt(b,2))
}

func ExampleParseRQL() {
	q, err := ParseRQL("?eq(a,1)&limit(5)&eq(b,2)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.HasOperator("limit"), q.Limit(10).Build())
	_, err = ParseRQL("eq(a,1")
	fmt.Println(err)
	// Output:
	// true ?eq(a,1)&eq(b,2)&limit(10)
	// exh: invalid RQL at byte 6: missing ')'
}
