package exh

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// codes.go (ErrorCode, its constants and the code table) is generated from
// internal/codegen/codes.txt: edit the table, then run go generate.
//
//go:generate go run ./internal/codegen/cmd/gencodes

// category is an error class of the JavaScript SDK's hierarchy. The exported
// sentinels ErrBadRequest … ErrServer are its values.
type category struct{ name string }

func (c *category) Error() string { return "exh: " + c.name }

// Category sentinels. errors.Is(err, exh.ErrUnauthorized) reports whether an
// *APIError belongs to that class of the JavaScript SDK's error hierarchy (for
// example 106, 108 and 109 are all ErrUnauthorized). A code the SDK does not
// know, or one without a class, is classed by its HTTP status instead.
var (
	ErrBadRequest   error = &category{"bad request"}
	ErrUnauthorized error = &category{"unauthorized"}
	ErrForbidden    error = &category{"forbidden"}
	ErrNotFound     error = &category{"not found"}
	ErrServer       error = &category{"server error"}
)

// categoryOf returns the JS category of code, falling back to the HTTP status
// for codes the SDK does not know or that have no category.
func categoryOf(code ErrorCode, status int) error {
	if cat := codeCategory(code); cat != nil {
		return cat
	}
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status >= 500:
		return ErrServer
	case status >= 400:
		return ErrBadRequest
	}
	return nil
}

// APIError is an error answer of the ExtraHorizon API: any response with a
// status of 400 or more. Code is the contract: compare it with errors.Is and
// the ErrCode constants, never by Name or Message.
//
// Error() is one line naming the method, the path (never the query string),
// the status, the name and the code. It never contains request or response
// bodies of authentication calls, nor any secret.
type APIError struct {
	StatusCode int       // HTTP status
	Code       ErrorCode // ExH error code; 0 when the body had none (an HTML gateway page, an empty body)
	Name       string    // wire name, e.g. "OAUTH_TOKEN_EXCEPTION"
	Message    string    // the server's message
	Method     string    // HTTP method of the request
	Path       string    // request path, without the query string
	// RemainingDelay is how long to wait before the next attempt, when the
	// body gave one (codes 134, 211, 212): "remainingDelay" in milliseconds.
	RemainingDelay time.Duration
	// Snippet holds the start (at most 512 bytes, valid UTF-8) of a body that
	// was not an ExH error object, such as a proxy's HTML page. It is empty for
	// authentication calls, whose bodies are never kept.
	Snippet string
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("exh: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Name != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(e.Name, 80))
	}
	if e.Code != 0 {
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(int(e.Code)))
		b.WriteByte(')')
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Message, 200))
	} else if e.Code == 0 {
		b.WriteByte(' ')
		b.WriteString(http.StatusText(e.StatusCode))
	}
	if h := e.hint(); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteByte(')')
	}
	return b.String()
}

// hint says what to do about the error, when the SDK knows.
func (e *APIError) hint() string {
	switch {
	case e.RemainingDelay > 0:
		return "retry in " + (e.RemainingDelay + time.Second - 1).Truncate(time.Second).String()
	case e.Code == ErrCodeInvalidPresenceToken:
		return "confirm presence again with AuthService.ConfirmPresence"
	}
	return ""
}

// Is reports whether target is this error's code (an ErrorCode) or its
// category (ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrServer).
func (e *APIError) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return e.Code != 0 && t == e.Code
	case *category:
		return categoryOf(e.Code, e.StatusCode) == error(t)
	}
	return false
}

// MfaRequiredError is the answer of a password grant for an account with
// multi-factor authentication (HTTP 403, code 129). Its Challenge carries
// what AuthService.ConfirmMfa needs. errors.Is(err, ErrCodeMfaRequired) is
// true. Match it with a pointer target, as the SDK returns a pointer:
//
//	var mfaErr *exh.MfaRequiredError // not exh.MfaRequiredError: that never matches
//	if errors.As(err, &mfaErr) { … mfaErr.Challenge.Token … }
//
// When the server's challenge was malformed, Challenge holds what was usable
// and Error says what was missing.
type MfaRequiredError struct {
	*APIError
	Challenge MfaChallenge
	missing   []string // parts of the challenge the answer lacked
}

// Error is the *APIError's line, plus what the challenge lacked, if anything.
func (e *MfaRequiredError) Error() string {
	if len(e.missing) == 0 {
		return e.APIError.Error()
	}
	return e.APIError.Error() + "; the MFA challenge lacks " + strings.Join(e.missing, ", ")
}

// Unwrap returns the underlying *APIError.
func (e *MfaRequiredError) Unwrap() error { return e.APIError }

// MfaChallenge is the MFA part of a 129 answer. Token is a secret: String,
// Format, LogValue and MarshalJSON redact it.
type MfaChallenge struct {
	Token     string        // MFA token to send back with the code
	ExpiresIn time.Duration // how long Token stays valid ("tokenExpiresIn", milliseconds)
	Methods   []MfaMethod   // methods the user can confirm with
}

// RequestError is a failure to get an answer: the connection failed, was
// reset, or the context ended. It keeps its cause, so errors.Is(err,
// context.DeadlineExceeded) works. Its message never contains the query string.
type RequestError struct {
	Method, Path string
	Err          error
}

// Error implements error: one line, no query string, no body.
func (e *RequestError) Error() string {
	return "exh: " + e.Method + " " + e.Path + ": " + oneLine(e.Err.Error(), 300)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// OutcomeUnknownError reports that a request which must not be sent twice (a
// login, an MFA confirmation, an SSO consumption, a POST) failed after it may
// have reached the server. The SDK does not re-send it; the caller decides.
type OutcomeUnknownError struct {
	Method, Path string
	Err          error
}

// Error implements error: one line, no query string, no body.
func (e *OutcomeUnknownError) Error() string {
	return "exh: " + e.Method + " " + e.Path + ": outcome unknown, not retried: " + oneLine(e.Err.Error(), 300)
}

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// DecodeError reports a successful response whose body could not be decoded
// into the result.
type DecodeError struct {
	Method, Path string
	StatusCode   int
	ContentType  string
	Err          error
}

// Error implements error: one line, no query string, no body.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("exh: %s %s: %d response (%s) could not be decoded: %v",
		e.Method, e.Path, e.StatusCode, oneLine(e.ContentType, 80), oneLine(e.Err.Error(), 200))
}

// Unwrap returns the JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ResponseTooLargeError reports a response body larger than the client's limit
// (see WithMaxResponseBytes). It is never retried.
type ResponseTooLargeError struct {
	Method, Path string
	StatusCode   int
	Limit        int64
}

// Error implements error: one line, no query string, no body.
func (e *ResponseTooLargeError) Error() string {
	return fmt.Sprintf("exh: %s %s: %d response body exceeds %d bytes", e.Method, e.Path, e.StatusCode, e.Limit)
}

// RedirectError reports a 3xx answer. The SDK never follows redirects: a
// signed request must not be replayed to another URL.
type RedirectError struct {
	Method, Path string
	StatusCode   int
	Host         string // host of the Location target, "" if none
}

// Error implements error: one line, no query string, no body.
func (e *RedirectError) Error() string {
	to := e.Host
	if to == "" {
		to = "an unknown location"
	}
	return fmt.Sprintf("exh: %s %s: redirect %d to %s not followed", e.Method, e.Path, e.StatusCode, oneLine(to, 100))
}

// RetryAfterError reports that the server asked to wait longer than the retry
// policy allows (RetryPolicy.MaxBackoff) before trying again. The SDK returns
// instead of sleeping; Err is the answer that asked for the wait.
type RetryAfterError struct {
	RetryAfter time.Duration
	Err        *APIError
}

// Error implements error: one line, no query string, no body.
func (e *RetryAfterError) Error() string {
	return e.Err.Error() + " (server asks to retry after " + e.RetryAfter.String() + ")"
}

// Unwrap returns the *APIError.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Client-side errors, returned before any I/O.
var (
	// ErrInvalidPath: a Raw path is absolute, lacks the leading '/', or has '.' or '..' segments.
	ErrInvalidPath = errors.New("exh: invalid path")
	// ErrInvalidConfig: the Config or an option is unusable.
	ErrInvalidConfig = errors.New("exh: invalid configuration")
	// ErrInvalidArgument: a required argument is empty or malformed.
	ErrInvalidArgument = errors.New("exh: invalid argument")
)

// ErrNotAuthenticated is returned, before any I/O, by calls that need a user
// session when the client has none. It is the local twin of the server's 104:
// errors.Is(err, ErrCodeUserNotAuthenticated) and errors.Is(err,
// ErrUnauthorized) are true for it too.
var ErrNotAuthenticated error = notAuthenticatedError{}

type notAuthenticatedError struct{}

func (notAuthenticatedError) Error() string { return "exh: no user session; log in first" }

func (notAuthenticatedError) Is(target error) bool {
	return target == ErrUnauthorized || target == ErrCodeUserNotAuthenticated
}
