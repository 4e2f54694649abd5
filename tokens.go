package exh

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/exhgo/exh/rql"
)

// TokensService lists and revokes the user's OAuth1 tokens
// (/auth/v2/oauth1/tokens). Calls are signed with the session; without one
// they return ErrNotAuthenticated before any I/O.
type TokensService service

// Token is an OAuth1 token: what a grant returns and what the token list
// holds. Token and TokenSecret are secrets: String, GoString, Format,
// LogValue and MarshalJSON redact them; to persist a token, store its
// fields yourself or use SaveCredentials.
type Token struct {
	ID                string
	UserID            string
	ApplicationID     string
	Token             string
	TokenSecret       string
	CreationTimestamp time.Time
	UpdateTimestamp   time.Time
	LastUsedTimestamp time.Time
}

// UnmarshalJSON decodes a token as the API writes it, with timestamps given
// as ISO-8601 strings or epoch milliseconds.
func (t *Token) UnmarshalJSON(b []byte) error {
	var wire struct {
		ID                string    `json:"id"`
		UserID            string    `json:"userId"`
		ApplicationID     string    `json:"applicationId"`
		Token             string    `json:"token"`
		TokenSecret       string    `json:"tokenSecret"`
		CreationTimestamp timestamp `json:"creationTimestamp"`
		UpdateTimestamp   timestamp `json:"updateTimestamp"`
		LastUsedTimestamp timestamp `json:"lastUsedTimestamp"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*t = Token{ID: wire.ID, UserID: wire.UserID, ApplicationID: wire.ApplicationID,
		Token: wire.Token, TokenSecret: wire.TokenSecret,
		CreationTimestamp: wire.CreationTimestamp.Time(), UpdateTimestamp: wire.UpdateTimestamp.Time(),
		LastUsedTimestamp: wire.LastUsedTimestamp.Time()}
	return nil
}

// TokenPage is one page of the token list.
type TokenPage struct {
	Data []Token `json:"data"`
	Page Page    `json:"page"`
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
// filtered and paged by q (nil for the server's defaults: 20 tokens).
func (s *TokensService) Find(ctx context.Context, q *rql.Builder) (*TokenPage, error) {
	return s.client.findTokens(ctx, nil, q.Build())
}

// FindFirst returns the first token q matches. When none does, the error
// matches ErrNotFound.
func (s *TokensService) FindFirst(ctx context.Context, q *rql.Builder) (*Token, error) {
	return s.client.findFirstToken(ctx, nil, q.Build())
}

// FindByID returns the token with that ID. When there is none, the error
// matches ErrNotFound.
func (s *TokensService) FindByID(ctx context.Context, id string) (*Token, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: token ID is required", ErrInvalidArgument)
	}
	return s.client.findFirstToken(ctx, nil, RQL().Eq("id", id).Build())
}

// Remove revokes a token (DELETE /auth/v2/oauth1/tokens/{id}). When the
// server removed nothing the error matches ErrNotFound.
//
// Like every DELETE it is retried after a network failure. When an earlier
// attempt was sent and its answer lost, a later "not found" (404, code 16)
// means that attempt removed the token, and Remove returns nil; any other
// definite answer is reported as it is.
func (s *TokensService) Remove(ctx context.Context, id string) error {
	return s.client.removeToken(ctx, nil, id)
}

// pageSize is how many tokens All asks for at a time (the server's maximum).
const pageSize = 50

// All iterates over every token q matches, fetching 50 at a time as the loop
// goes (no request is made before the first iteration). q must not hold
// limit() or skipCount(): All pages itself. On an error it yields the error
// once and stops, so range over both values — with one loop variable the
// errors are silently dropped:
//
//	for t, err := range client.Tokens.All(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(t.ID)
//	}
//
// A token listed twice (the list changed while paging) is yielded once. A
// page with no new token, as from a server that ignores the offset, ends the
// loop with an error. Breaking out of the loop stops the paging.
func (s *TokensService) All(ctx context.Context, q *rql.Builder) iter.Seq2[Token, error] {
	return func(yield func(Token, error) bool) {
		if q.HasOperator("limit") || q.HasOperator("skipCount") {
			yield(Token{}, fmt.Errorf("%w: All pages by itself; remove limit() and skipCount() from the query", ErrInvalidArgument))
			return
		}
		base := q.Build()
		seen := map[string]bool{}
		for offset := 0; ; {
			page, err := s.client.findTokens(ctx, nil, withLimit(base, pageSize, offset))
			if err != nil {
				yield(Token{}, err)
				return
			}
			if len(page.Data) == 0 {
				return
			}
			fresh := 0
			for _, t := range page.Data {
				if seen[t.ID] {
					continue
				}
				seen[t.ID] = true
				fresh++
				if !yield(t, nil) {
					return
				}
			}
			if fresh == 0 {
				yield(Token{}, fmt.Errorf("exh: GET %s: the page at offset %d repeats earlier tokens only; the server seems to ignore the offset", tokensPath, offset))
				return
			}
			offset += len(page.Data)
			if offset >= page.Page.Total {
				return
			}
		}
	}
}

// findTokens gets one page, signed with st (nil: the current session).
func (c *Client) findTokens(ctx context.Context, st *sessionState, query string) (*TokenPage, error) {
	var page TokenPage
	if _, err := c.do(ctx, &call{method: "GET", path: tokensPath + query, out: &page, session: st}); err != nil {
		return nil, err
	}
	return &page, nil
}

// findFirstToken returns the first token of the page query selects.
func (c *Client) findFirstToken(ctx context.Context, st *sessionState, query string) (*Token, error) {
	page, err := c.findTokens(ctx, st, query)
	if err != nil {
		return nil, err
	}
	if len(page.Data) == 0 {
		return nil, fmt.Errorf("%w: no token matches", ErrNotFound)
	}
	return &page.Data[0], nil
}

// removeToken deletes the token id, signed with st (nil: the current session).
func (c *Client) removeToken(ctx context.Context, st *sessionState, id string) error {
	if err := checkSegment("token ID", id); err != nil {
		return err
	}
	var out struct {
		AffectedRecords int `json:"affectedRecords"`
	}
	k := &call{method: "DELETE", path: tokensPath + "/" + url.PathEscape(id), out: &out, session: st}
	_, err := c.do(ctx, k)
	switch {
	case err != nil && k.answerLost && codeOf(err) == ErrCodeResourceUnknown:
		return nil // the attempt whose answer was lost removed it
	case err != nil:
		return err
	case out.AffectedRecords == 0:
		return fmt.Errorf("%w: DELETE %s/{id}: no token was removed", ErrNotFound, tokensPath)
	}
	return nil
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
