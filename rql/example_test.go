package rql_test

import (
	"errors"
	"fmt"

	"github.com/exhgo/exh/rql"
)

func ExampleNew() {
	q := rql.New().
		Select("id", "name").
		Eq("name", "Hypertension - STAGE 1").
		Or(rql.New().Gt("age", "60"), rql.New().In("tags", "a&b", "c")).
		Limit(5).
		Offset(10)
	fmt.Println(q.Build())
	// Output:
	// ?select(id,name)&eq(name,Hypertension%2520%252D%2520STAGE%25201)&or(gt(age,60),in(tags,a%2526b,c))&limit(5,10)
}

func ExampleParse() {
	q, err := rql.Parse("?eq(a,1)&limit(5)&eq(b,2)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.HasOperator("limit"))
	fmt.Println(q.Eq("c", "x y").Build())
	fmt.Println(q.Limit(10).Build())
	// Output:
	// true
	// ?eq(a,1)&limit(5)&eq(b,2)&eq(c,x%2520y)
	// ?eq(a,1)&eq(b,2)&eq(c,x%2520y)&limit(10)
}

func ExampleBuilder_Limit() {
	q := rql.New().Limit(10).Eq("userId", "abc")
	fmt.Println(q.Build())
	fmt.Println(q.Limit(50).Build()) // the last Limit wins
	// Output:
	// ?eq(userId,abc)&limit(10)
	// ?eq(userId,abc)&limit(50)
}

func ExampleBuilder_Offset() {
	fmt.Println(rql.New().Limit(10).Offset(20).Build())
	fmt.Println(rql.New().Offset(20).Build()) // the service's default page size of 20
	fmt.Println(rql.New().Limit(10).Offset(20).Offset(0).Build())
	// Output:
	// ?limit(10,20)
	// ?limit(20,20)
	// ?limit(10)
}

func ExampleBuilder_Intermediate() {
	adults := rql.New().Ge("age", "18").Lt("age", "65")
	fmt.Println(adults.Intermediate())
	fmt.Println(rql.New().Or(adults, rql.New().Eq("role", "admin")).Build())
	// Output:
	// and(ge(age,18),lt(age,65))
	// ?or(and(ge(age,18),lt(age,65)),eq(role,admin))
}

func ExampleBuilder_DoubleEncodeValues() {
	fmt.Println(rql.New().Eq("name", "a b").Build())
	fmt.Println(rql.New().DoubleEncodeValues(false).Eq("name", "a%20b").Build())
	// Output:
	// ?eq(name,a%2520b)
	// ?eq(name,a%20b)
}

func ExampleSyntaxError() {
	_, err := rql.Parse("?eq(email,john@example.com)")
	var se *rql.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset)
		fmt.Println(err)
	}
	// Output:
	// 14
	// rql: syntax error at byte 14: expected ',' or ')' or an argument, found '@'
}
