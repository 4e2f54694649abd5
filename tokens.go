package exh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"strconv"
	"time"
)

// TokensService lists and revokes the user's OAuth1 tokens
// (/auth/v2/oauth1/tokens). Calls are signed with the session; without one
// they return ErrNotAuthenticated before any I/O.
type TokensService service

// Token is an OAuth1 token: what a grant returns and what the token list
// holds. Token and TokenSecret are secrets: String, GoString, Format and
// LogValue redact them; json.Marshal writes them, so a Token can be persisted.
type Token struct {
	ID                string    `json:"id"`
	UserID            string    `json:"userId"`
	ApplicationID     string    `json:"applicationId"`
	Token             string    `json:"token"`
	TokenSecret       string    `json:"tokenSecret"`
	CreationTimestamp time.Time `json:"creationTimestamp"`
	UpdateTimestamp   time.Time `json:"updateTimestamp"`
	LastUsedTimestamp time.Time `json:"lastUsedTimestamp"`
}

// UnmarshalJSON decodes a token, with timestamps given as ISO-8601 strings
// or epoch milliseconds.
func (t *Token) UnmarshalJSON(b []byte) error {
	type plain Token
	var wire struct {
		plain
		CreationTimestamp timestamp `json:"creationTimestamp"`
		UpdateTimestamp   timestamp `json:"updateTimestamp"`
		LastUsedTimestamp timestamp `json:"lastUsedTimestamp"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*t = Token(wire.plain)
	t.CreationTimestamp = wire.CreationTimestamp.Time()
	t.UpdateTimestamp = wire.UpdateTimestamp.Time()
	t.LastUsedTimestamp = wire.LastUsedTimestamp.Time()
	return nil
}

// check rejects a grant answer that carries no usable token.
func (t *Token) check(method, path string) error {
	if t.Token == "" || t.TokenSecret == "" {
		return &DecodeError{Method: method, Path: path, StatusCode: 200, Err: errors.New("no token in the answer")}
	}
	return nil
}

func (t Token) fields() []field {
	return []field{
		{"ID", t.ID, false},
		{"UserID", t.UserID, false},
		{"ApplicationID", t.ApplicationID, false},
		{"Token", t.Token, true},
		{"TokenSecret", t.TokenSecret, true},
	}
}

// String prints the token with its secrets redacted.
func (t Token) String() string { return redactedString("Token", t.fields()) }

// GoString prints the token with its secrets redacted.
func (t Token) GoString() string { return redactedString("exh.Token", t.fields()) }

// Format makes every fmt verb print the redacted form.
func (t Token) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String(), t.GoString()) }

// LogValue makes slog print the redacted form.
func (t Token) LogValue() slog.Value { return logGroup(t.fields()) }

// TokenPage is one page of the token list.
type TokenPage struct {
	Data []Token `json:"data"`
	Page Page    `json:"page"`
}

// LogValue makes slog print the page without its tokens' secrets (a JSON
// handler would otherwise marshal them).
func (p TokenPage) LogValue() slog.Value {
	ids := make([]string, len(p.Data))
	for i, t := range p.Data {
		ids[i] = t.ID
	}
	return slog.GroupValue(slog.Int("total", p.Page.Total), slog.Int("offset", p.Page.Offset),
		slog.Int("limit", p.Page.Limit), slog.Any("ids", ids))
}

// Page says where a page sits in the whole list. Total is 0 when the query
// used skipCount().
type Page struct {
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

const tokensPath = "/auth/v2/oauth1/tokens"

// Find returns one page of the user's tokens (GET /auth/v2/oauth1/tokens),
// filtered and paged by rql (nil for the server's defaults).
func (s *TokensService) Find(ctx context.Context, rql *RQLBuilder) (*TokenPage, error) {
	return s.find(ctx, rql.Build())
}

func (s *TokensService) find(ctx context.Context, query string) (*TokenPage, error) {
	if !s.client.hasSession(ctx) {
		return nil, ErrNotAuthenticated
	}
	var page TokenPage
	if _, err := s.client.do(ctx, &call{method: "GET", path: tokensPath + query, out: &page}); err != nil {
		return nil, err
	}
	return &page, nil
}

// FindFirst returns the first token rql matches, or nil when none does.
func (s *TokensService) FindFirst(ctx context.Context, rql *RQLBuilder) (*Token, error) {
	page, err := s.Find(ctx, rql)
	if err != nil || len(page.Data) == 0 {
		return nil, err
	}
	return &page.Data[0], nil
}

// FindByID returns the token with that ID, or nil when there is none.
func (s *TokensService) FindByID(ctx context.Context, id string) (*Token, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: token ID is required", ErrInvalidArgument)
	}
	return s.FindFirst(ctx, RQL().Eq("id", id))
}

// Remove revokes a token (DELETE /auth/v2/oauth1/tokens/{id}) and returns how
// many were removed. It is retried like every DELETE; when a retry finds the
// token already gone (its earlier attempt worked but the answer was lost),
// Remove reports 1 removed.
func (s *TokensService) Remove(ctx context.Context, id string) (int, error) {
	if id == "" {
		return 0, fmt.Errorf("%w: token ID is required", ErrInvalidArgument)
	}
	if !s.client.hasSession(ctx) {
		return 0, ErrNotAuthenticated
	}
	var out struct {
		AffectedRecords int `json:"affectedRecords"`
	}
	_, err := s.client.do(ctx, &call{method: "DELETE", path: tokensPath + "/" + url.PathEscape(id), out: &out})
	if e := asAPIError(err); e != nil && e.Code == ErrCodeResourceUnknown && e.Attempt > 1 {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	return out.AffectedRecords, nil
}

// pageSize is how many tokens All asks for at a time (the server's maximum).
const pageSize = 50

// All iterates over every token rql matches, fetching 50 at a time as the
// loop goes (no request is made before the first iteration). rql must not
// hold limit() or skipCount(): All pages itself. On an error it yields the
// error once and stops. Breaking out of the loop stops the paging.
//
//	for t, err := range client.Tokens.All(ctx, nil) {
//		if err != nil { return err }
//		fmt.Println(t.ID)
//	}
func (s *TokensService) All(ctx context.Context, rql *RQLBuilder) iter.Seq2[Token, error] {
	return func(yield func(Token, error) bool) {
		if rql.HasOperator("limit") || rql.HasOperator("skipCount") {
			yield(Token{}, fmt.Errorf("%w: All pages by itself; remove limit() and skipCount() from the query", ErrInvalidArgument))
			return
		}
		base := rql.Build()
		for offset := 0; ; {
			page, err := s.find(ctx, withLimit(base, pageSize, offset))
			if err != nil {
				yield(Token{}, err)
				return
			}
			for _, t := range page.Data {
				if !yield(t, nil) {
					return
				}
			}
			offset += len(page.Data)
			if len(page.Data) == 0 || offset >= page.Page.Total {
				return
			}
		}
	}
}

// withLimit appends limit(n[,offset]) to a built query ("" or "?…").
func withLimit(query string, n, offset int) string {
	op := "limit(" + strconv.Itoa(n)
	if offset > 0 {
		op += "," + strconv.Itoa(offset)
	}
	op += ")"
	if query == "" {
		return "?" + op
	}
	return query + "&" + op
}

// timestamp decodes the API's times: ISO-8601 strings, epoch milliseconds
// (as numbers or numeric strings), or null.
type timestamp time.Time

func (t timestamp) Time() time.Time { return time.Time(t) }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*t = timestamp{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*t = timestamp{}
			return nil
		}
		if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*t = timestamp(v)
			return nil
		}
		b = []byte(s)
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %.40q is neither ISO-8601 nor epoch milliseconds", b)
	}
	*t = timestamp(time.UnixMilli(int64(ms)).UTC())
	return nil
}
