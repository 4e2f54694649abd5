package exhtest_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/exhgo/exh/exhtest"
)

// enc is the OAuth1 percent-encoding: only A-Z a-z 0-9 - . _ ~ stay as is.
func enc(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// authorization signs a request without a query string (HMAC-SHA1 OAuth1,
// as the ExtraHorizon SDKs do) and returns the Authorization header.
func authorization(method, rawURL, consumerKey, consumerSecret, token, tokenSecret, nonce string, ts int64) string {
	params := map[string]string{
		"oauth_consumer_key":     consumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(ts, 10),
		"oauth_version":          "1.0",
	}
	if token != "" {
		params["oauth_token"] = token
	}
	var pairs []string
	for k, v := range params {
		pairs = append(pairs, enc(k)+"="+enc(v))
	}
	sort.Strings(pairs)
	base := method + "&" + enc(rawURL) + "&" + enc(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(enc(consumerSecret)+"&"+enc(tokenSecret)))
	mac.Write([]byte(base))
	params["oauth_signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))

	var items []string
	for k, v := range params {
		items = append(items, k+`="`+enc(v)+`"`)
	}
	sort.Strings(items)
	return "OAuth " + strings.Join(items, ", ")
}

// call sends a signed request to srv and returns the status and body.
func call(srv *exhtest.Server, method, path, body string, app exhtest.Application, token, tokenSecret, nonce string) (int, string) {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authorization(method, srv.URL+path,
		app.ConsumerKey, app.ConsumerSecret, token, tokenSecret, nonce, srv.Now().Unix()))
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	return resp.StatusCode, string(b)
}

// This example logs a user in with the password grant, checks the token on
// /users/v1/me, shows the gateway refusing a replayed request, and lists
// what the server recorded (with the password scrubbed).
func Example() {
	srv := exhtest.NewServer(exhtest.WithSeed(1))
	defer srv.Close()
	srv.SetNow(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))

	app := srv.AddApplication(exhtest.Application{Name: "example"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!", FirstName: "John", LastName: "Doe"})

	// Password grant: signed with the consumer key and secret only.
	status, body := call(srv, http.MethodPost, "/auth/v2/oauth1/tokens",
		`{"email":"john@example.com","password":"S3cret!"}`, app, "", "", "nonce-1")
	var tok struct {
		UserID      string `json:"userId"`
		Token       string `json:"token"`
		TokenSecret string `json:"tokenSecret"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		panic(err)
	}
	fmt.Println("password grant:", status, "token for the user:", tok.UserID == user.ID)

	// Token check: signed with the new token as well.
	status, body = call(srv, http.MethodGet, "/users/v1/me", "", app, tok.Token, tok.TokenSecret, "nonce-2")
	var me struct {
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
	}
	if err := json.Unmarshal([]byte(body), &me); err != nil {
		panic(err)
	}
	fmt.Println("me:", status, me.FirstName, me.Email)

	// The same nonce and timestamp again: a replay.
	status, body = call(srv, http.MethodGet, "/users/v1/me", "", app, tok.Token, tok.TokenSecret, "nonce-2")
	fmt.Println("replay:", status, body)

	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status, r.Code, r.Nonce, "body="+r.Body)
	}
	// Output:
	// password grant: 200 token for the user: true
	// me: 200 John john@example.com
	// replay: 401 {"code":110,"name":"DUPLICATE_REQUEST_EXCEPTION","message":"A request with identical parameters was already received"}
	// POST /auth/v2/oauth1/tokens 200 0 nonce-1 body={"email":"john@example.com","password":"REDACTED"}
	// GET /users/v1/me 200 0 nonce-2 body=
	// GET /users/v1/me 401 110 nonce-2 body=
}

// ExampleServer_FailNext makes the next health check fail with a 503 and a
// Retry-After header, as a retry test would.
func ExampleServer_FailNext() {
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{})

	srv.FailNext(http.MethodGet, "/auth/v2/health", exhtest.Fault{
		Status: http.StatusServiceUnavailable,
		Body:   "<html>Service Unavailable</html>",
		Header: http.Header{"Retry-After": {"1"}},
	})
	for i := range 2 {
		status, body := call(srv, http.MethodGet, "/auth/v2/health", "", app, "", "", "health-"+strconv.Itoa(i))
		fmt.Printf("%d %q\n", status, body)
	}
	// Output:
	// 503 "<html>Service Unavailable</html>"
	// 200 ""
}

// ExampleTOTP computes the code an authenticator app shows, here for the
// RFC 6238 test secret.
func ExampleTOTP() {
	fmt.Println(exhtest.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(1234567890, 0)))
	// Output: 005924
}
