package exhtest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseRQL(t *testing.T) {
	q, err := parseRQL("")
	require.NoError(t, err)
	require.Equal(t, &rqlQuery{limit: 20}, q)

	q, err = parseRQL("select(id,name)&limit(10)&eq(userId,abc)")
	require.NoError(t, err)
	require.Equal(t, []string{"id", "name"}, q.selectKeys)
	require.Equal(t, 10, q.limit)
	require.Equal(t, 0, q.offset)
	require.Len(t, q.conditions, 1)
	require.Equal(t, "abc", q.conditions[0].args[1].value)

	// V4: double-encoded by the JS SDK's builder.
	q, err = parseRQL("eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)")
	require.NoError(t, err)
	require.Equal(t, "Hypertension - STAGE 1", q.conditions[0].args[1].value)
	require.Equal(t, 5, q.limit)
	require.Equal(t, 10, q.offset)

	// A double-encoded comma stays inside the value.
	q, err = parseRQL("in(token,a%252Cb,c)")
	require.NoError(t, err)
	require.Equal(t, []string{"token", "a,b", "c"}, []string{q.conditions[0].args[0].value, q.conditions[0].args[1].value, q.conditions[0].args[2].value})

	q, err = parseRQL("sort(+creationTimestamp,-id,token)&skipCount()&limit(500)")
	require.NoError(t, err)
	require.Equal(t, []string{"+creationTimestamp", "-id", "+token"}, q.sortKeys)
	require.True(t, q.skipCount)
	require.Equal(t, 50, q.limit)

	q, err = parseRQL("and(eq(id,1),or(ne(token,2),out(userId,3,4)))")
	require.NoError(t, err)
	fields := map[string]string{"id": "1", "token": "2", "userId": "5"}
	lookup := func(k string) (string, bool) { v, ok := fields[k]; return v, ok }
	require.True(t, q.conditions[0].matches(lookup))
	fields["userId"] = "4"
	require.False(t, q.conditions[0].matches(lookup))

	for _, bad := range []string{
		"limit", "limit()", "limit(1,2,3)", "limit(01)", "limit(x)", "skipCount(1)",
		"eq(a,b", "eq(a,b))", "eq(a(b),c)", "eq(a,(b)", "select(eq(a,b))", "sort()x",
		"and(a)", "bogus(a)", "eq(a,%ZZ)", "eq(a,%25ZZ)", "ne(a)", "in()", "sort(-)",
	} {
		_, err := parseRQL(bad)
		require.Error(t, err, "query %q", bad)
	}
}
