package exhtest

import (
	"encoding/json"
	"net/http"
)

// exhError describes one ExtraHorizon error: its HTTP status, numeric code,
// wire name and message. Messages come from the auth-service OpenAPI 2.0.4
// where it has one (see the comment on each entry).
type exhError struct {
	status  int
	code    int
	name    string
	message string
}

var (
	// Not in the auth-service OpenAPI: our own wording. The status is 401, as
	// the ExtraHorizon documentation gives it for this code.
	errNoPermission = exhError{http.StatusUnauthorized, 10, "NO_PERMISSION_EXCEPTION", "Permission denied"}
	// Not in the auth-service OpenAPI: our own wording.
	errMissingFields = exhError{http.StatusBadRequest, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION", "Not all required fields were provided"}
	// OpenAPI: "Requested resource is unknown".
	errResourceUnknown = exhError{http.StatusNotFound, 16, "RESOURCE_UNKNOWN_EXCEPTION", "Requested resource is unknown"}
	// The OpenAPI gives "Requested resource is unknown" with the description
	// "The specified token is expired"; the fake sends the description as the
	// message so that tests can tell the two 404/16 cases apart.
	errSSOTokenExpired = exhError{http.StatusNotFound, 16, "RESOURCE_UNKNOWN_EXCEPTION", "The specified token is expired"}
	// Not in the auth-service OpenAPI: our own wording.
	errInvalidRQL = exhError{http.StatusBadRequest, 19, "INVALID_RQL_EXCEPTION", "The provided RQL is invalid"}
	// Not in the auth-service OpenAPI: our own wording.
	errBodyFormat = exhError{http.StatusBadRequest, 22, "BODY_FORMAT_EXCEPTION", "The body is not formatted correctly"}
	// OpenAPI, MFA method verification: only TOTP methods can be verified.
	errIllegalArgument = exhError{http.StatusBadRequest, 26, "ILLEGAL_ARGUMENT_EXCEPTION", "The supplied argument(s) is not appropriate within this context"}

	errUserNotAuthenticated = exhError{http.StatusUnauthorized, 104, "USER_NOT_AUTHENTICATED_EXCEPTION", "User is not authenticated"}
	errAuthentication       = exhError{http.StatusUnauthorized, 106, "AUTHENTICATION_EXCEPTION", "This password email combination is unknown"}
	errOAuthKey             = exhError{http.StatusUnauthorized, 107, "OAUTH_KEY_EXCEPTION", "The consumer key is unknown"}
	errOAuthToken           = exhError{http.StatusUnauthorized, 108, "OAUTH_TOKEN_EXCEPTION", "The consumer key and token combination is unknown"}
	errOAuthSignature       = exhError{http.StatusUnauthorized, 109, "OAUTH_SIGNATURE_EXCEPTION", "The oAuth signature is invalid"}
	errDuplicateRequest     = exhError{http.StatusUnauthorized, 110, "DUPLICATE_REQUEST_EXCEPTION", "A request with identical parameters was already received"}

	errMfaRequired       = exhError{http.StatusForbidden, 129, "MFA_REQUIRED_EXCEPTION", "Multifactor authentication is required for this user"}
	errInvalidMfaCode    = exhError{http.StatusBadRequest, 130, "INVALID_MFA_CODE_EXCEPTION", "The supplied MFA code is incorrect"}
	errInvalidMfaToken   = exhError{http.StatusBadRequest, 131, "INVALID_MFA_TOKEN_EXCEPTION", "The supplied MFA token is not (or no longer) valid"}
	errInvalidPresence   = exhError{http.StatusBadRequest, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION", "The supplied presence token is not (or no longer) valid"}
	errNotEnoughMethods  = exhError{http.StatusBadRequest, 133, "NOT_ENOUGH_MFA_METHODS_EXCEPTION", "For MFA to be enabled at least one verified MFA method is required"}
	errMfaReattemptDelay = exhError{http.StatusBadRequest, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "The MFA authentication attempt was too soon after a failed attempt"}

	errLoginTimeout        = exhError{http.StatusUnauthorized, 211, "LOGIN_TIMEOUT_EXCEPTION", "Login attempt too fast"}
	errLoginFreeze         = exhError{http.StatusUnauthorized, 212, "LOGIN_FREEZE_EXCEPTION", "Login timeout in progress, too many failed login attempts"}
	errTooManyFailedLogins = exhError{http.StatusUnauthorized, 213, "TOO_MANY_FAILED_ATTEMPTS_EXCEPTION", "Account is locked due to too many failed login attempts"}
)

// errorBody is the wire shape of an ExtraHorizon error. The optional fields
// are only present for the codes that carry them (129 and 134, 211, 212).
type errorBody struct {
	Code           int           `json:"code"`
	Name           string        `json:"name"`
	Message        string        `json:"message"`
	Mfa            *mfaChallenge `json:"mfa,omitempty"`
	RemainingDelay *int64        `json:"remainingDelay,omitempty"`
}

// mfaChallenge is the "mfa" object of a 129 MFA_REQUIRED_EXCEPTION.
type mfaChallenge struct {
	Token          string          `json:"token"`
	TokenExpiresIn int64           `json:"tokenExpiresIn"`
	Methods        []mfaMethodJSON `json:"methods"`
}

type mfaMethodJSON struct {
	ID   string   `json:"id"`
	Type string   `json:"type"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

// response is what a handler decided to answer; ServeHTTP writes it.
type response struct {
	status      int
	code        int // ExtraHorizon error code, 0 for success
	contentType string
	body        []byte
}

func errorResponse(e exhError) response {
	return errorResponseWith(e, errorBody{})
}

// errorResponseWith answers e with the extra fields of extra (Mfa,
// RemainingDelay) filled in.
func errorResponseWith(e exhError, extra errorBody) response {
	extra.Code, extra.Name, extra.Message = e.code, e.name, e.message
	b, err := json.Marshal(extra)
	if err != nil {
		// Every field is a plain string, number or slice of strings.
		panic("exhtest: encoding an error body: " + err.Error())
	}
	return response{status: e.status, code: e.code, contentType: "application/json", body: b}
}

// delayResponse answers e with "remainingDelay" set to the milliseconds in
// ms.
func delayResponse(e exhError, ms int64) response {
	return errorResponseWith(e, errorBody{RemainingDelay: &ms})
}

func jsonResponse(v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		panic("exhtest: encoding a response body: " + err.Error())
	}
	return response{status: http.StatusOK, contentType: "application/json", body: b}
}
