package rql_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/exhgo/exh/oauth1"
	"github.com/exhgo/exh/rql"
)

func TestOperators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    *rql.Builder
		want string
	}{
		{"select", rql.New().Select("name", "id"), "?select(name,id)"},
		{"select one", rql.New().Select("name"), "?select(name)"},
		{"select none", rql.New().Select(), "?select()"},
		{"select quoted name", rql.New().Select("'first name'", "id"), "?select('first name',id)"},
		{"limit", rql.New().Limit(10), "?limit(10)"},
		{"limit zero", rql.New().Limit(0), "?limit(0)"},
		{"limit offset", rql.New().Limit(10).Offset(15), "?limit(10,15)"},
		{"offset then limit", rql.New().Offset(15).Limit(10), "?limit(10,15)"},
		{"limit zero offset dropped", rql.New().Limit(10).Offset(0), "?limit(10)"},
		{"limit negative offset kept", rql.New().Limit(10).Offset(-5), "?limit(10,-5)"},
		{"offset alone uses the default page size", rql.New().Offset(40), "?limit(20,40)"},
		{"offset zero alone", rql.New().Offset(0), "?limit(20)"},
		{"last limit and last offset win", rql.New().Limit(5).Offset(10).Limit(6).Offset(11), "?limit(6,11)"},
		{"offset reset to zero", rql.New().Limit(5).Offset(10).Offset(0), "?limit(5)"},
		{"limit written last", rql.New().Limit(5).Eq("a", "1").SkipCount(), "?eq(a,1)&skipCount()&limit(5)"},
		{"select then limit", rql.New().Select("name").Limit(10).Offset(15), "?select(name)&limit(10,15)"},
		{"sort", rql.New().Sort("name"), "?sort(name)"},
		{"sort descending", rql.New().Select("name", "id").Sort("-name"), "?select(name,id)&sort(-name)"},
		{"sort several", rql.New().Sort("+name", "-description"), "?sort(+name,-description)"},
		{"in", rql.New().Select("name", "id").In("name", "fitbit"), "?select(name,id)&in(name,fitbit)"},
		{"in several", rql.New().In("id", "a", "b c"), "?in(id,a,b%2520c)"},
		{"in none", rql.New().In("id"), "?in(id,)"},
		{"out", rql.New().Out("tags", "x", "y-z"), "?out(tags,x,y%252Dz)"},
		{"out none", rql.New().Out("tags"), "?out(tags,)"},
		{"eq", rql.New().Eq("name", "test"), "?eq(name,test)"},
		{"ne", rql.New().Ne("value", "10"), "?ne(value,10)"},
		{"lt", rql.New().Lt("value", "10"), "?lt(value,10)"},
		{"le", rql.New().Le("value", "10"), "?le(value,10)"},
		{"gt", rql.New().Gt("value", "10"), "?gt(value,10)"},
		{"ge", rql.New().Ge("value", "10"), "?ge(value,10)"},
		{"like", rql.New().Select("name", "id").Like("name", "fitbit"), "?select(name,id)&like(name,fitbit)"},
		{"field is not encoded", rql.New().Eq("data.heart_rate-x", "1"), "?eq(data.heart_rate-x,1)"},
		{"empty value", rql.New().Eq("name", ""), "?eq(name,)"},
		{"and one", rql.New().And(rql.New().Eq("value", "10")), "?and(eq(value,10))"},
		{"and two", rql.New().And(rql.New().Lt("value", "20"), rql.New().Gt("value", "10")), "?and(lt(value,20),gt(value,10))"},
		{"and of multi-operator builder", rql.New().And(rql.New().Eq("a", "1").Eq("b", "2")), "?and(and(eq(a,1),eq(b,2)))"},
		{"and skips nil and empty", rql.New().And(nil, rql.New(), rql.New().Ne("value", "10")), "?and(ne(value,10))"},
		{"and of nothing adds nothing", rql.New().Eq("a", "1").And().And(nil, rql.New()), "?eq(a,1)"},
		{"or", rql.New().Or(rql.New().Like("name", "bitfit"), rql.New().Like("name", "fitbit")), "?or(like(name,bitfit),like(name,fitbit))"},
		{"or of nothing adds nothing", rql.New().Or(), ""},
		{"contains field", rql.New().Contains("staff_enlistments"), "?contains(staff_enlistments)"},
		{"contains one", rql.New().Contains("staff", rql.New().Eq("group_id", "2313232")), "?contains(staff,and(eq(group_id,2313232)))"},
		{"contains two", rql.New().Contains("staff_enlistments", rql.New().Gt("id", "60"), rql.New().Lt("id", "90")), "?contains(staff_enlistments,and(gt(id,60),lt(id,90)))"},
		{"contains empty conditions", rql.New().Contains("f", nil, rql.New()), "?contains(f)"},
		{"excludes field", rql.New().Excludes("staff_enlistments"), "?excludes(staff_enlistments)"},
		{"excludes two", rql.New().Excludes("staff_enlistments", rql.New().Gt("id", "60"), rql.New().Lt("id", "90")), "?excludes(staff_enlistments,and(gt(id,60),lt(id,90)))"},
		{"skipCount", rql.New().SkipCount(), "?skipCount()"},
		{"skipCount in and", rql.New().And(rql.New().Eq("firstName", "Joe"), rql.New().Eq("secondName", "Bloggs"), rql.New().SkipCount()), "?and(eq(firstName,Joe),eq(secondName,Bloggs),skipCount())"},
		{"skipCount in or", rql.New().Or(rql.New().Eq("firstName", "Joe"), rql.New().Eq("secondName", "Bloggs"), rql.New().SkipCount()), "?or(eq(firstName,Joe),eq(secondName,Bloggs),skipCount())"},
		{
			"contains, or and limit (JS SDK example)",
			rql.New().Contains("staff_enlistments", rql.New().Eq("group_id", "2313232")).
				Or(rql.New().Like("first_name", "Test"), rql.New().Like("last_name", "Test")).
				Limit(20).Offset(20),
			"?contains(staff_enlistments,and(eq(group_id,2313232)))&or(like(first_name,Test),like(last_name,Test))&limit(20,20)",
		},
		{"duplicate operator added once", rql.New().Eq("a", "1").SkipCount().Eq("a", "1").SkipCount(), "?eq(a,1)&skipCount()"},
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

// TestJSSDKExample checks the output of the JavaScript SDK's
// rqlBuilder().eq('name','Hypertension - STAGE 1').limit(5,10).build().
func TestJSSDKExample(t *testing.T) {
	t.Parallel()
	got := rql.New().Eq("name", "Hypertension - STAGE 1").Limit(5).Offset(10).Build()
	want := "?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestDoubleEncoding checks the encodings the JavaScript SDK's own tests
// expect.
func TestDoubleEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    *rql.Builder
		want string
	}{
		{"space", rql.New().Eq("a", "a b"), "?eq(a,a%2520b)"},
		{"eq", rql.New().Eq("name", "~> & Tester & <~"), "?eq(name,%257E%253E%2520%2526%2520Tester%2520%2526%2520%253C%257E)"},
		{"eq slash and at", rql.New().Eq("data.diagnosis", "Blood pressure @130/80 - Hypertension"), "?eq(data.diagnosis,Blood%2520pressure%2520%2540130%252F80%2520%252D%2520Hypertension)"},
		{"ne", rql.New().Ne("data.diagnosis", "Hypertension - STAGE 1"), "?ne(data.diagnosis,Hypertension%2520%252D%2520STAGE%25201)"},
		{"like", rql.New().Like("data.diagnosis", "Hypertension - STAGE"), "?like(data.diagnosis,Hypertension%2520%252D%2520STAGE)"},
		{"ge", rql.New().Ge("category", "B & C"), "?ge(category,B%2520%2526%2520C)"},
		{"gt", rql.New().Gt("category", "B & C"), "?gt(category,B%2520%2526%2520C)"},
		{"le", rql.New().Le("category", "A & B"), "?le(category,A%2520%2526%2520B)"},
		{"lt", rql.New().Lt("category", "A & B"), "?lt(category,A%2520%2526%2520B)"},
		{"in non-ASCII", rql.New().In("tags", "ʘ︵ʘ", "ಠ_ಠ"), "?in(tags,%25CA%2598%25EF%25B8%25B5%25CA%2598,%25E0%25B2%25A0%255F%25E0%25B2%25A0)"},
		{"out non-ASCII", rql.New().Out("tags", "ʘ︵ʘ", "ಠ_ಠ"), "?out(tags,%25CA%2598%25EF%25B8%25B5%25CA%2598,%25E0%25B2%25A0%255F%25E0%25B2%25A0)"},
		{"marks JS leaves alone", rql.New().Eq("a", "-_.!~*'()"), "?eq(a,%252D%255F%252E%2521%257E%252A%2527%2528%2529)"},
		{
			"nested and",
			rql.New().And(rql.New().Eq("firstName", "~> Tester <~"), rql.New().Eq("lastName", "<! McTestFace !>")).
				And(rql.New().Ne("firstName", "<! McTestFace !>"), rql.New().Ne("lastName", "~> Tester <~")),
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

// TestEncodeEveryByte checks the encoding of each byte value on its own:
// letters and digits stay, everything else becomes %25XX with upper-case hex.
func TestEncodeEveryByte(t *testing.T) {
	t.Parallel()
	for c := 0; c < 256; c++ {
		v := string([]byte{byte(c)})
		want := fmt.Sprintf("%%25%02X", c)
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			want = v
		}
		if got := rql.New().Eq("f", v).Build(); got != "?eq(f,"+want+")" {
			t.Errorf("byte %#02x: got %q, want %q", c, got, "?eq(f,"+want+")")
		}
	}
}

func TestDoubleEncodeValuesOff(t *testing.T) {
	t.Parallel()
	v := "~> & Tester & <~"
	if got, want := rql.New().DoubleEncodeValues(false).Eq("name", v).Build(), "?eq(name,"+v+")"; got != want {
		t.Errorf("off: got %q, want %q", got, want)
	}
	if got, want := rql.New().DoubleEncodeValues(false).In("firstNames", "~> Tester <~").Out("lastNames", "<! McTestFace !>").Build(),
		"?in(firstNames,~> Tester <~)&out(lastNames,<! McTestFace !>)"; got != want {
		t.Errorf("off in/out: got %q, want %q", got, want)
	}
	// The setting applies to values added after it; earlier values keep theirs.
	b := rql.New().Eq("a", "x y").DoubleEncodeValues(false).Eq("b", "x%20y").DoubleEncodeValues(true).Eq("c", "x y")
	if got, want := b.Build(), "?eq(a,x%2520y)&eq(b,x%20y)&eq(c,x%2520y)"; got != want {
		t.Errorf("switching: got %q, want %q", got, want)
	}
	// A sub-builder's values are encoded by the sub-builder's own setting.
	raw := rql.New().DoubleEncodeValues(false).Eq("a", "x%20y")
	if got, want := rql.New().And(raw, rql.New().Eq("b", "x y")).Build(), "?and(eq(a,x%20y),eq(b,x%2520y))"; got != want {
		t.Errorf("mixed sub-builders: got %q, want %q", got, want)
	}
	// Fields, Select and Sort are never encoded, whatever the setting.
	if got, want := rql.New().DoubleEncodeValues(true).Select("a.b").Sort("-c_d").Eq("e-f", "1").Build(), "?select(a.b)&sort(-c_d)&eq(e-f,1)"; got != want {
		t.Errorf("fields: got %q, want %q", got, want)
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	var zero rql.Builder
	var nilB *rql.Builder
	for name, b := range map[string]*rql.Builder{"New()": rql.New(), "zero value": &zero, "nil": nilB} {
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
	// The zero value double-encodes, like New().
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
	if got, want := nilB.Offset(3).Build(), "?limit(20,3)"; got != want {
		t.Errorf("nil Offset: got %q, want %q", got, want)
	}
	if got, want := nilB.SkipCount().Build(), "?skipCount()"; got != want {
		t.Errorf("nil SkipCount: got %q, want %q", got, want)
	}
	if got, want := nilB.And(rql.New().Eq("a", "1")).Build(), "?and(eq(a,1))"; got != want {
		t.Errorf("nil And: got %q, want %q", got, want)
	}
	if nilB != nil {
		t.Fatal("a method on a nil builder changed the nil variable")
	}
}

func TestIntermediate(t *testing.T) {
	t.Parallel()
	if got, want := rql.New().Eq("name", "test").Intermediate(), "eq(name,test)"; got != want {
		t.Errorf("one: got %q, want %q", got, want)
	}
	if got, want := rql.New().Eq("name", "test").Lt("age", "20").Intermediate(), "and(eq(name,test),lt(age,20))"; got != want {
		t.Errorf("two: got %q, want %q", got, want)
	}
	b, err := rql.Parse("?eq(a,1)&limit(5)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Intermediate(), "and(eq(a,1),limit(5))"; got != want {
		t.Errorf("parsed: got %q, want %q", got, want)
	}
	if got, want := rql.New().Limit(5).Intermediate(), "limit(5)"; got != want {
		t.Errorf("limit only: got %q, want %q", got, want)
	}
	if got, want := rql.New().Offset(5).Eq("a", "1").Intermediate(), "and(eq(a,1),limit(20,5))"; got != want {
		t.Errorf("offset and eq: got %q, want %q", got, want)
	}
	if got, want := rql.New().Or(rql.New().Limit(1), rql.New().Eq("a", "1").Limit(2).Offset(3)).Build(),
		"?or(limit(1),and(eq(a,1),limit(2,3)))"; got != want {
		t.Errorf("limits in sub-builders: got %q, want %q", got, want)
	}
}

// TestLimitOffsetReplaceParsedLimit checks how Limit and Offset treat
// limit operators that came from Parse.
func TestLimitOffsetReplaceParsedLimit(t *testing.T) {
	t.Parallel()
	limit := func(n int) func(*rql.Builder) { return func(b *rql.Builder) { b.Limit(n) } }
	offset := func(n int) func(*rql.Builder) { return func(b *rql.Builder) { b.Offset(n) } }
	both := func(n, o int) func(*rql.Builder) { return func(b *rql.Builder) { b.Limit(n).Offset(o) } }
	tests := []struct {
		name  string
		start string
		edit  func(*rql.Builder)
		want  string
	}{
		{"only", "limit(5)", limit(10), "?limit(10)"},
		{"first", "limit(5)&eq(a,1)&eq(b,2)", limit(10), "?eq(a,1)&eq(b,2)&limit(10)"},
		{"middle keeps both neighbours and their '&'", "eq(a,1)&limit(5)&eq(b,2)", limit(10), "?eq(a,1)&eq(b,2)&limit(10)"},
		{"last", "eq(a,1)&eq(b,2)&limit(5,20)", both(10, 30), "?eq(a,1)&eq(b,2)&limit(10,30)"},
		{"limit keeps the parsed offset", "eq(a,1)&limit(5,20)", limit(10), "?eq(a,1)&limit(10,20)"},
		{"offset keeps the parsed limit", "limit(10)&eq(a,1)", offset(30), "?eq(a,1)&limit(10,30)"},
		{"offset zero drops the parsed offset", "limit(10,40)", offset(0), "?limit(10)"},
		{"several: the last one counts", "limit(1)&eq(a,1)&limit(2,3)&eq(b,2)", limit(4), "?eq(a,1)&eq(b,2)&limit(4,3)"},
		{"several, offset reset", "limit(1)&eq(a,1)&limit(2,3)&eq(b,2)", both(4, 0), "?eq(a,1)&eq(b,2)&limit(4)"},
		{"negative parsed values", "limit(-1,-2)", limit(3), "?limit(3,-2)"},
		{"last parsed limit not integers", "limit(7,8)&limit(abc)", offset(5), "?limit(20,5)"},
		{"three arguments", "limit(1,2,3)", offset(5), "?limit(20,5)"},
		{"empty arguments", "limit()&limit(,)", offset(5), "?limit(20,5)"},
		{"plus sign", "limit(+5)", offset(5), "?limit(20,5)"},
		{"too large", "limit(99999999999999999999)", offset(5), "?limit(20,5)"},
		{"list argument", "limit((5))", limit(3), "?limit(3)"},
		{"same limit again", "eq(a,1)&limit(5)", limit(5), "?eq(a,1)&limit(5)"},
		{"none before", "eq(a,1)", limit(5), "?eq(a,1)&limit(5)"},
		{"nested limit kept", "and(limit(5),eq(a,1))", limit(10), "?and(limit(5),eq(a,1))&limit(10)"},
		{"other operator with limit in its name kept", "xlimit(5)&limits(1)", limit(10), "?xlimit(5)&limits(1)&limit(10)"},
	}
	for _, tt := range tests {
		b, err := rql.Parse(tt.start)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", tt.name, tt.start, err)
		}
		tt.edit(b)
		if got := b.Build(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	got := rql.New().Eq("name", "test").Limit(5).Eq("name2", "test").Limit(6).Build()
	if want := "?eq(name,test)&eq(name2,test)&limit(6)"; got != want {
		t.Errorf("chain: got %q, want %q", got, want)
	}
	// Until Limit or Offset is called, a parsed limit keeps its place.
	p, err := rql.Parse("limit(5)&eq(a,1)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.SkipCount().Build(), "?limit(5)&eq(a,1)&skipCount()"; got != want {
		t.Errorf("untouched parsed limit: got %q, want %q", got, want)
	}
}

func TestHasOperator(t *testing.T) {
	t.Parallel()
	b := rql.New().Eq("limit", "1").And(rql.New().SkipCount()).Select("skipCount")
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
	if !rql.New().Offset(5).HasOperator("limit") {
		t.Error("HasOperator misses the limit written by Offset")
	}
	p, err := rql.Parse("?select(id)&limit(10,20)")
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasOperator("limit") || !p.HasOperator("select") || p.HasOperator("skipCount") {
		t.Errorf("parsed builder: wrong HasOperator answers for %q", p.Build())
	}
}

func TestNoAliasing(t *testing.T) {
	t.Parallel()
	sub := rql.New().Eq("a", "1")
	b := rql.New().And(sub).Or(sub).Contains("f", sub)
	sub.Eq("b", "2").Limit(3)
	if got, want := b.Build(), "?and(eq(a,1))&or(eq(a,1))&contains(f,and(eq(a,1)))"; got != want {
		t.Errorf("changing a sub-builder changed its parent: got %q, want %q", got, want)
	}
	self := rql.New().Eq("a", "1").Eq("b", "2")
	self.And(self)
	if got, want := self.Build(), "?eq(a,1)&eq(b,2)&and(and(eq(a,1),eq(b,2)))"; got != want {
		t.Errorf("And of itself: got %q, want %q", got, want)
	}
	p1, err := rql.Parse("limit(1)&eq(a,1)&eq(b,2)&eq(c,3)")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := rql.Parse(p1.Build())
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

func TestRepeatedOperatorAddedOnce(t *testing.T) {
	t.Parallel()
	b := rql.New()
	for range 25 {
		b.Eq("a", "1").SkipCount().In("id", "x", "y")
	}
	if got, want := b.Build(), "?eq(a,1)&skipCount()&in(id,x,y)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p, err := rql.Parse(strings.Repeat("eq(a,1)&", 24) + "eq(a,1)")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Build(), "?eq(a,1)"; got != want {
		t.Errorf("parsed: got %q, want %q", got, want)
	}
}

func TestParse(t *testing.T) {
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
		b, err := rql.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := b.Build(); got != tt.want {
			t.Errorf("Parse(%q).Build() = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" {
			if got, want := b.Eq("x", "y z").Build(), tt.want+"&eq(x,y%2520z)"; got != want {
				t.Errorf("Parse(%q).Eq: got %q, want %q", tt.in, got, want)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
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
		{"constructor(a)", "object member name"},
		{"toStringify(a)", "object member name"},
		{"eq(a,1)&__proto__()", "object member name"},
		{"hasOwnProperty(x)", "object member name"},
	}
	for _, tt := range tests {
		b, err := rql.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", tt.in, b.Build())
			continue
		}
		if b != nil {
			t.Errorf("Parse(%q) returned a builder with its error", tt.in)
		}
		checkSyntaxError(t, tt.in, err)
		if msg := err.Error(); !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, msg, tt.wantMsg)
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		offset int
	}{
		{"eq(a,1", 6},
		{"?eq(a,1", 7},
		{"eq(a,1)&", 8},
		{"?eq(a,1)&", 9},
		{"&eq(a,1)", 0},
		{"?&eq(a,1)", 1},
		{"??eq(a,1)", 1},
		{"?constructor(a)", 1},
		{"eq(a,1)&eq(a%5B,1)", 8},
		{"?eq(a,1)&eq(b,2)x", 16},
		{"eq(a,1)|eq(b,2)", 7},
		{"and(eq(a,1)&eq(b,2))", 11},
		{"eq(a,%ZZ)", 5},
		{"?eq(a,b.c(d))", 6},
		{"eq(email,john@example.com)", 13},
	}
	for _, tt := range tests {
		_, err := rql.Parse(tt.in)
		var se *rql.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error %v is not a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset {
			t.Errorf("Parse(%q): Offset = %d, want %d (%v)", tt.in, se.Offset, tt.offset, err)
		}
	}
	// errors.As also finds a wrapped SyntaxError.
	_, err := rql.Parse("eq(a,1")
	var se *rql.SyntaxError
	if !errors.As(fmt.Errorf("listing tokens: %w", err), &se) || se.Offset != 6 || se.Reason != "missing ')'" {
		t.Errorf("wrapped error: As found %+v", se)
	}
}

func TestSyntaxErrorHasNoQueryText(t *testing.T) {
	t.Parallel()
	_, err := rql.Parse("?eq(email,john@example.com)")
	if err == nil {
		t.Fatal("want an error")
	}
	if got, want := err.Error(), "rql: syntax error at byte 14: expected ',' or ')' or an argument, found '@'"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, in := range []string{
		"eq(email,Zorblax@x)", "Zorblax", "Zorblax(a)b", "eq(a,1)Zorblax", "eq(a,Zorblax)Zorblax(b)",
		"eq(a,1)&Zorblax", "Zorblax[(a)", "Zorblax(a)&", "Zorblax(a)|eq(b)", "eq(a,Zorblax%5B)",
		"eq(a,%ZZZorblax)", "eq(a,Zorblax.x(b))", "eq(a,1Zorblax(b))", "constructorZorblax(a)", "eq(Zorblax",
		"eq(a,Zorblax&b)", "eq(a,é Zorblax)", "eq(a,Zorblax b)",
	} {
		_, err := rql.Parse(in)
		if err == nil {
			t.Errorf("Parse(%q): want an error", in)
			continue
		}
		checkSyntaxError(t, in, err)
		if strings.Contains(err.Error(), "Zorblax") {
			t.Errorf("Parse(%q) error %q quotes the query", in, err)
		}
	}
}

// syntaxReasons are the reasons Parse may give, apart from the
// "expected X, found Y" ones that checkSyntaxError takes apart.
var syntaxReasons = []string{
	"operator name starts with a JavaScript object member name such as constructor",
	"operator contains '[' or ']' after percent-decoding",
	"expected an operator after '&'",
	"'|' between top-level operators is not supported; use or(...)",
	"expected '&' after the operator",
	"missing ')'",
	"invalid operator name",
	"malformed percent-encoding or UTF-8 in an argument",
	"'&' inside parentheses is not supported; use and(...) or or(...)",
	"'|' inside parentheses is not supported; use and(...) or or(...)",
}

// checkSyntaxError checks that err, from Parse(in), is a *SyntaxError whose
// offset lies within in and whose message is made of fixed words and at most
// one quoted ASCII punctuation character or space, so it cannot carry the
// query text.
func checkSyntaxError(t *testing.T, in string, err error) {
	t.Helper()
	var se *rql.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse(%q) error %v (%T) is not a *SyntaxError", in, err, err)
	}
	if se.Offset < 0 || se.Offset > len(in) {
		t.Fatalf("Parse(%q): Offset %d outside the string", in, se.Offset)
	}
	if got, want := err.Error(), "rql: syntax error at byte "+strconv.Itoa(se.Offset)+": "+se.Reason; got != want {
		t.Fatalf("Parse(%q): Error() = %q, want %q", in, got, want)
	}
	if slices.Contains(syntaxReasons, se.Reason) {
		return
	}
	rest, ok := strings.CutPrefix(se.Reason, "expected ")
	want, found, ok2 := strings.Cut(rest, ", found ")
	if !ok || !ok2 || !slices.Contains([]string{"an operator name", "'(' after the operator name", "',' or ')'", "',' or ')' or an argument"}, want) {
		t.Fatalf("Parse(%q): unknown reason %q", in, se.Reason)
	}
	switch found {
	case "end of string", "a control or non-ASCII byte", "a letter or digit":
		return
	}
	c, uerr := strconv.Unquote(found)
	if uerr != nil || !strings.HasPrefix(found, "'") || len(c) != 1 || !(c[0] == ' ' || c[0] > ' ' && c[0] < 0x7f && !isAlnum(c[0])) {
		t.Fatalf("Parse(%q): reason %q quotes %q, not one ASCII punctuation character", in, se.Reason, found)
	}
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func TestParseRoundTrip(t *testing.T) {
	t.Parallel()
	builders := []*rql.Builder{
		rql.New().Eq("name", "Hypertension - STAGE 1").Limit(5).Offset(10),
		rql.New().Offset(60).Eq("a", "b").Limit(30),
		rql.New().Select("id", "name").Sort("-creationTimestamp").In("id", "a[b]", "c=d", "e&f").SkipCount(),
		rql.New().Or(rql.New().Eq("a", "ʘ︵ʘ"), rql.New().Contains("staff", rql.New().Gt("age", "30"), rql.New().Like("name", "%_%"))),
		rql.New().Excludes("tags").Ne("x", "constructor").Out("y", "\xff\xfe", ""),
	}
	for _, b := range builders {
		s := b.Build()
		p, err := rql.Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
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

// testPrototypeNames lists the members of JavaScript's Object.prototype, kept
// apart from the package's own list so that the test does not trust it.
var testPrototypeNames = []string{
	"constructor", "__proto__", "toString", "toLocaleString", "valueOf", "hasOwnProperty",
	"isPrototypeOf", "propertyIsEnumerable", "__defineGetter__", "__defineSetter__",
	"__lookupGetter__", "__lookupSetter__",
}

// signURL is the URL that checkSigningSafe signs a query with.
const signURL = "https://api.example.com/data/v1/abc"

// checkSigningSafe checks that query q is read by the OAuth1 signer as one
// plain parameter name per operator. It parses q the way the signer and the
// service do (split on '&', name up to the first '=', '+' as a space, one
// percent-decode, raw text kept when decoding fails), with net/url rather
// than the code under test, and requires: no '=', no '[' or ']' after the
// decode, no Object.prototype name, no name repeated more than 20 times,
// balanced parentheses. With fromValues, the builder wrote only trusted field
// names and double-encoded values, so no '=' or '&' may appear even after
// decoding. It then checks that oauth1.BaseString signs exactly those names,
// each with an empty value, and that Parse gives q back.
func checkSigningSafe(t *testing.T, q string, fromValues bool) {
	t.Helper()
	if q == "" {
		return
	}
	if !strings.HasPrefix(q, "?") {
		t.Fatalf("query %q does not start with '?'", q)
	}
	counts := map[string]int{}
	var names []string
	for _, piece := range strings.Split(q[1:], "&") {
		if piece == "" {
			t.Fatalf("query %q has an empty piece", q)
		}
		if strings.Contains(piece, "=") {
			t.Fatalf("piece %q of %q contains '=': it would be split into name and value", piece, q)
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
		for _, p := range testPrototypeNames {
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
		names = append(names, oauth1.PercentEncode(name))
	}
	slices.Sort(names)
	u, err := url.Parse(signURL + q)
	if err != nil {
		t.Fatalf("url.Parse of %q: %v", q, err)
	}
	if u.RawQuery != q[1:] {
		t.Fatalf("url.Parse changed the query %q to %q", q[1:], u.RawQuery)
	}
	want := "GET&" + oauth1.PercentEncode(signURL) + "&" + oauth1.PercentEncode(strings.Join(names, "=&")+"=")
	if got := oauth1.BaseString("GET", u, nil); got != want {
		t.Fatalf("oauth1 signs %q as\n%s\nwant\n%s", q, got, want)
	}
	p, err := rql.Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	if got := p.Build(); got != q {
		t.Fatalf("Parse(%q).Build() = %q", q, got)
	}
}

var hostile = []string{
	"[", "]", "a[b]", "a[]", "[0]", "&", "=", "]=", "a=b&c=d", "+", "%", "%25", "%5B", "%5b%5D", "%ZZ",
	"(", ")", ",", "'", "\"", "#", "?", "/", "\\", " ", "\t", "\n", "\x00", "\x7f", "é", "ü", "€", "😀",
	"ʘ︵ʘ", "\xff", "\xc3", "\xed\xa0\x80", "constructor", "__proto__", "toString", "hasOwnProperty",
	"limit(5)", "skipCount()", "eq(a,1)", "~", "*", "!", "-", "_", ".", ":", "$1", "|",
}

// randomValue returns a random value made of hostile pieces, random bytes
// and random runes.
func randomValue(r *rand.Rand) string {
	var sb strings.Builder
	for range r.IntN(5) {
		switch r.IntN(4) {
		case 0, 1:
			sb.WriteString(hostile[r.IntN(len(hostile))])
		case 2:
			sb.WriteByte(byte(r.IntN(256)))
		default:
			sb.WriteRune(rune(r.IntN(0x110000)))
		}
	}
	return sb.String()
}

var testFields = []string{"name", "data.heartRate", "user_id", "a1", "constructor", "toString", "x-y"}

// randomBuilder builds a random expression with hostile values and trusted
// field names.
func randomBuilder(r *rand.Rand, depth int) *rql.Builder {
	field := func() string { return testFields[r.IntN(len(testFields))] }
	subs := func() []*rql.Builder {
		var out []*rql.Builder
		if depth <= 0 {
			return out
		}
		for range r.IntN(3) {
			out = append(out, randomBuilder(r, depth-1))
		}
		return out
	}
	values := func() []string {
		var out []string
		for range r.IntN(4) {
			out = append(out, randomValue(r))
		}
		return out
	}
	b := rql.New()
	for range 1 + r.IntN(4) {
		switch r.IntN(17) {
		case 0:
			b.Eq(field(), randomValue(r))
		case 1:
			b.Ne(field(), randomValue(r))
		case 2:
			b.Lt(field(), randomValue(r))
		case 3:
			b.Le(field(), randomValue(r))
		case 4:
			b.Gt(field(), randomValue(r))
		case 5:
			b.Ge(field(), randomValue(r))
		case 6:
			b.Like(field(), randomValue(r))
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
			b.Limit(r.IntN(100))
		case 14:
			b.Offset(r.IntN(3) * 10)
		case 15:
			b.Select(field(), field()).Sort("+"+field(), "-"+field())
		default:
			b.SkipCount()
		}
	}
	return b
}

func TestRandomExpressionsAreSigningSafe(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2024, 910))
	for range 3000 {
		b := randomBuilder(r, 3)
		checkSigningSafe(t, b.Build(), true)
		if inter := b.Intermediate(); inter != "" {
			checkSigningSafe(t, "?"+inter, true)
		}
	}
}

// checkValue checks that a value goes into every value operator in a
// signing-safe form and comes back after two percent-decodings.
func checkValue(t *testing.T, v string) {
	t.Helper()
	q := rql.New().Eq("f", v).Build()
	arg, ok := strings.CutPrefix(q, "?eq(f,")
	if !ok || !strings.HasSuffix(arg, ")") {
		t.Fatalf("Eq(f, %q) = %q", v, q)
	}
	arg = strings.TrimSuffix(arg, ")")
	for i := 0; i < len(arg); i++ {
		if c := arg[i]; !isAlnum(c) && c != '%' {
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
	sub := rql.New().Ne("g", v).In("h", v, v)
	for _, b := range []*rql.Builder{
		rql.New().Eq("f", v), rql.New().Ne("f", v), rql.New().Lt("f", v), rql.New().Le("f", v), rql.New().Gt("f", v),
		rql.New().Ge("f", v), rql.New().Like("f", v), rql.New().In("f", v, "x", v), rql.New().Out("f", v),
		rql.New().And(sub, rql.New().Eq("f", v)), rql.New().Or(sub), rql.New().Contains("f", sub), rql.New().Excludes("f", sub),
		rql.New().Eq("f", v).Limit(10).Offset(20),
	} {
		checkSigningSafe(t, b.Build(), true)
	}
}

// FuzzValue checks that any value reaches the query double-encoded, in a form
// the OAuth1 signer reads as plain parameter names.
func FuzzValue(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	for _, s := range []string{
		"", "a b", "Hypertension - STAGE 1", "~> & Tester & <~", "a[b]=c&d[]=e", "%2520", "+-_.!~*'()",
		"Blood pressure @130/80 - Hypertension", "\xff\xfe\x00", strings.Repeat("[", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(checkValue)
}

// FuzzParse checks that Parse never panics, that its errors are
// *SyntaxError values that do not quote the query, and that what it accepts
// is signing-safe and parses again to the same query, also after Limit,
// Offset and Eq.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "?", "?select(id,name)&limit(10)&eq(userId,abc)", "or((like(name,btfit))", "eq(a,%5B)",
		"contains(staff,and(gt(id,60),lt(id,90)))&skipCount()", "in(tags,(a,b),())", "eq(a,%ED%A0%80)",
		"constructor(a)", "eq(a,1)&limit(5)&eq(b,2)", "eq(a,b)c", "and(eq(a,1)&eq(b,2))", "eq(a,+b)",
		"limit(5,20)&limit(abc)", "eq(a,1)|eq(b,2)", "eq(email,john@example.com)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := rql.Parse(s)
		if err != nil {
			if b != nil {
				t.Fatalf("Parse(%q) returned a builder with an error", s)
			}
			checkSyntaxError(t, s, err)
			return
		}
		checkSigningSafe(t, b.Build(), false)
		b.Offset(3)
		if !b.HasOperator("limit") || !strings.HasSuffix(b.Build(), ",3)") {
			t.Fatalf("Offset(3): no limit(…,3) at the end of %q", b.Build())
		}
		b.Limit(7).Eq("x", s)
		q := b.Build()
		checkSigningSafe(t, q, false)
		if !strings.HasSuffix(q, "&limit(7,3)") || strings.Count(q, "&limit(") != 1 || strings.HasPrefix(q, "?limit(") {
			t.Fatalf("Limit(7).Offset(3) gave %q, want one top-level limit(7,3), last", q)
		}
	})
}
