package exhtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault describes how to disturb the next matching request(s), for retry
// and error-handling tests. A fault is applied before the request is
// authenticated or handled, so it consumes no nonce and changes no state.
//
// The parts apply in this order: Delay; then Reset, or else Drop; or else
// an answer with Status, Body and Header; or else, when Status is 0, the
// normal answer with Header added.
type Fault struct {
	// Status is the response status. 0 keeps the normal response, which is
	// useful with Delay or Header alone.
	Status int
	// Body is the response body sent with Status.
	Body string
	// ContentType is the Content-Type sent with Status. When empty it is
	// application/json if Body is valid JSON, text/html otherwise.
	ContentType string
	// Header holds extra response headers (Retry-After, Date, Location…),
	// added to the fault's answer or to the normal one.
	Header http.Header
	// Delay is waited before answering. It ends early when the client goes
	// away or the server is closed; the connection is then closed without
	// an answer.
	Delay time.Duration
	// Drop reads the request, then closes the connection without answering.
	Drop bool
	// Reset closes the connection with SO_LINGER 0, so the client sees a
	// connection reset.
	Reset bool
	// Times is how many matching requests the fault applies to; 0 means 1.
	Times int
}

type faultEntry struct {
	method, path string
	fault        Fault
	left         int
}

// FailNext queues f for the next requests with the given method and URL
// path (exact match, no query; with WithPathPrefix, the full path with the
// prefix). An empty method or path matches any. Faults
// are matched in the order they were queued; each applies to f.Times
// requests (1 if Times is 0), then is forgotten.
func (s *Server) FailNext(method, path string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left <= 0 {
		left = 1
	}
	f.Header = f.Header.Clone()
	s.faults = append(s.faults, &faultEntry{method: method, path: path, fault: f, left: left})
}

// takeFault returns the fault for this request, if any, using up one of its
// Times.
func (s *Server) takeFault(method, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.faults {
		if (e.method == "" || e.method == method) && (e.path == "" || e.path == path) {
			e.left--
			if e.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			f := e.fault
			return &f
		}
	}
	return nil
}

// applyFault carries out f and records the request (before the client
// sees any answer). It returns false when the request must still be handled
// normally (Status 0 and neither Drop nor Reset), after adding the fault's
// headers to w.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, rec Request) bool {
	if f.Delay > 0 {
		timer := time.NewTimer(f.Delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			s.record(rec)
			closeConn(w, false)
			return true
		case <-s.closing:
			s.record(rec)
			closeConn(w, false)
			return true
		}
	}
	if f.Reset || f.Drop {
		s.record(rec)
		closeConn(w, f.Reset)
		return true
	}
	for k, vs := range f.Header {
		w.Header().Del(k) // a fault's header replaces the default (e.g. Date)
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if f.Status == 0 {
		return false
	}
	contentType := f.ContentType
	if contentType == "" {
		contentType = "text/html; charset=utf-8"
		if json.Valid([]byte(f.Body)) {
			contentType = "application/json"
		}
	}
	rec.Status, rec.Code = f.Status, codeOf(f.Body)
	s.record(rec)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
	return true
}

// closeConn closes the request's connection without an answer; with reset
// it first sets SO_LINGER 0 so that the peer gets a RST.
func closeConn(w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// codeOf returns the ExtraHorizon "code" of a JSON error body, or 0.
func codeOf(body string) int {
	var v struct {
		Code json.Number `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return 0
	}
	n, err := strconv.Atoi(v.Code.String())
	if err != nil {
		return 0
	}
	return n
}

// scrubBody returns the request body for Requests with secret values
// replaced by "REDACTED" (see Request).
func scrubBody(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v, extra any
	if err := dec.Decode(&v); err != nil || dec.Decode(&extra) != io.EOF {
		return "REDACTED"
	}
	out, err := json.Marshal(scrubValue(v))
	if err != nil {
		return "REDACTED"
	}
	return string(out)
}

func scrubValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if isSecretField(k) {
				t[k] = "REDACTED"
			} else {
				t[k] = scrubValue(child)
			}
		}
	case []any:
		for i, child := range t {
			t[i] = scrubValue(child)
		}
	}
	return v
}

// isSecretField reports whether a JSON field holds a secret: password,
// code(s), anything with "secret" or "token" in its name.
func isSecretField(name string) bool {
	l := strings.ToLower(name)
	return strings.Contains(l, "password") || strings.Contains(l, "secret") ||
		strings.Contains(l, "token") || l == "code" || l == "codes"
}
