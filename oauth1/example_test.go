package oauth1_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/exhgo/exh/oauth1"
)

// This reproduces vector V2 of docs/protocol.md §2.10: the token check of a
// logged-in user.
func ExampleSigner_Authorization() {
	s := &oauth1.Signer{
		Now:   func() time.Time { return time.UnixMilli(1700000000123) },
		Nonce: func() string { return "Q8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0" },
	}
	creds := &oauth1.Credentials{
		ConsumerKey:    "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c",
		ConsumerSecret: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		Token:          "fedcba9876543210fedcba9876543210fedcba98",
		TokenSecret:    "0123456789abcdef0123456789abcdef01234567",
	}
	u, err := url.Parse("https://api.dev.example.extrahorizon.io/users/v1/me")
	if err != nil {
		log.Fatal(err)
	}
	header, err := s.Authorization(http.MethodGet, u, creds)
	if err != nil {
		log.Fatal(err)
	}
	for _, item := range strings.Split(header, ", ") {
		fmt.Println(item)
	}
	// Output:
	// OAuth oauth_consumer_key="3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c"
	// oauth_nonce="Q8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0"
	// oauth_signature="%2BT%2FxG1ggOD5Ft2Kz6%2FlT4NFnxWk%3D"
	// oauth_signature_method="HMAC-SHA1"
	// oauth_timestamp="1700000000"
	// oauth_token="fedcba9876543210fedcba9876543210fedcba98"
	// oauth_version="1.0"
}

func ExampleTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		fmt.Println(r.URL.RequestURI())
		fmt.Println(strings.HasPrefix(auth, `OAuth oauth_consumer_key="my-app"`))
	}))
	defer srv.Close()

	client := &http.Client{Transport: &oauth1.Transport{
		Base:        srv.Client().Transport,
		Credentials: oauth1.StaticCredentials(oauth1.Credentials{ConsumerKey: "my-app", ConsumerSecret: "secret"}),
	}}
	resp, err := client.Get(srv.URL + "/auth/v2/oauth1/tokens?select(id,name)&limit(10)")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// Output:
	// /auth/v2/oauth1/tokens?select(id,name)&limit(10)
	// true
}

func ExampleCredentials_String() {
	c := oauth1.Credentials{ConsumerKey: "abc", ConsumerSecret: "s3cret", Token: "tok", TokenSecret: "t0ken-secret"}
	fmt.Println(c)
	// Output:
	// Credentials{ConsumerKey:"abc", ConsumerSecret:REDACTED, Token:REDACTED, TokenSecret:REDACTED}
}
