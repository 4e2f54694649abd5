// Package rql builds and checks Resource Query Language (RQL) queries for the
// ExtraHorizon API. It is the Go counterpart of the JavaScript SDK's
// rqlBuilder.
//
// An RQL query is a list of operators such as eq(userId,abc), limit(10) or
// or(lt(age,18),gt(age,65)), joined with '&' behind the '?' of a URL. The
// service combines the top-level operators with AND:
//
//	q := rql.New().Select("id", "name").Eq("userId", id).Limit(10)
//	q.Build() // "?select(id,name)&eq(userId,…)&limit(10)"
//
// Start a query with [New], or with [Parse] to continue an existing query
// string. [Builder.Build] gives the query string to append to a path, and
// [Builder.Intermediate] gives one expression to place inside And, Or,
// Contains or Excludes of another builder.
//
// # Double encoding
//
// Values, such as the value of Eq or the values of In, are percent-encoded
// twice by default, as the JavaScript SDK does since version 8.0.0: every
// byte other than A-Z, a-z and 0-9 becomes %XX, and the result is encoded the
// same way again. "a b" becomes "a%2520b" and "a&b" becomes "a%2526b". The
// service decodes the value back, so a value may hold any text, including the
// characters that RQL and URLs use themselves. [Builder.DoubleEncodeValues]
// turns this off for a builder whose values are already encoded.
//
// Field names, and the fields of Select and Sort, are never encoded. They
// are meant to be field paths chosen by the program, such as
// "data.heartRate" or "-creationTimestamp", not user input.
//
// # Why some characters are refused
//
// Requests are signed with OAuth1, and the signature covers the query string.
// The signer reads the query the way the service's query-string parser does:
// it splits it at each '&', takes the text before the first '=' as a
// parameter name, reads '+' as a space and decodes percent-escapes once. A
// name holding '[' or ']' after that decoding is turned into a nested object,
// a name repeated more than 20 times into a numbered list, and names of
// built-in JavaScript object members such as constructor or toString are
// dropped. The signature of such a query depends on details of the parser
// that may differ between the client and the service, so it may not verify.
//
// An RQL query avoids all of that when every operator reads as a plain
// parameter name with no value. The builder keeps to this: double-encoded
// values never put '&', '=', '[', ']' or '+' into the query (a '[' in a value
// arrives as %255B, which decodes once to the harmless %5B), and an operator
// that is already present is not added a second time. [Parse] refuses
// strings that break the rule, with a [*SyntaxError].
//
// # Limit and offset
//
// [Builder.Limit] sets the page size and [Builder.Offset] the number of
// records to skip. Together they make one limit(n) or limit(n,offset)
// operator, written after all other top-level operators. Calling either
// again changes that operator; the last call wins. A limit operator that
// came from Parse is replaced by it, and the operators around it keep their
// places. [Builder.SkipCount] is unrelated: it adds skipCount(), which asks
// the service not to count the matching records.
package rql
