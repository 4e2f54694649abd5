package exh

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// loginKey identifies an email and password pair without keeping either.
func loginKey(email, password string) [sha256.Size]byte {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, uint64(len(email)))
	h.Write([]byte(email))
	h.Write([]byte(password))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// loginGroup lets concurrent password grants with the same credentials
// share one request, so that goroutines racing to log in cannot trip the
// server's login throttling (211) or count as several attempts.
//
// The shared request runs on its own goroutine with the first caller's
// context values but not its cancellation, bounded by the client timeout, and
// is cancelled when every caller has stopped waiting. Each caller waits as
// long as its own ctx allows. The first caller to see the result installs
// the token, once.
type loginGroup struct {
	mu    sync.Mutex
	calls map[[sha256.Size]byte]*loginCall
}

type loginCall struct {
	done    chan struct{}
	tok     *Token
	err     error
	waiters int
	cancel  context.CancelFunc
	install sync.Once
}

func (g *loginGroup) do(ctx context.Context, key [sha256.Size]byte, login func(context.Context) (*Token, error), install func(*Token)) (*Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, &RequestError{Method: "POST", Path: passwordGrantPath, Err: err}
	}
	g.mu.Lock()
	lc, ok := g.calls[key]
	if !ok {
		if g.calls == nil {
			g.calls = map[[sha256.Size]byte]*loginCall{}
		}
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		lc = &loginCall{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = lc
		go g.run(key, lc, lctx, login)
	}
	lc.waiters++
	g.mu.Unlock()

	select {
	case <-lc.done:
	case <-ctx.Done():
		g.leave(key, lc)
		return nil, &OutcomeUnknownError{Method: "POST", Path: passwordGrantPath, Err: ctx.Err()}
	}
	if lc.err != nil {
		return nil, lc.err
	}
	lc.install.Do(func() { install(lc.tok) })
	t := *lc.tok
	return &t, nil
}

// run makes the shared request and always releases the group's entry.
func (g *loginGroup) run(key [sha256.Size]byte, lc *loginCall, ctx context.Context, login func(context.Context) (*Token, error)) {
	defer func() {
		g.forget(key, lc)
		lc.cancel()
		close(lc.done)
	}()
	lc.tok, lc.err = login(ctx)
}

// leave stops one caller's wait; the last one to leave cancels the request
// and removes it from the group, so that later callers start anew.
func (g *loginGroup) leave(key [sha256.Size]byte, lc *loginCall) {
	g.mu.Lock()
	defer g.mu.Unlock()
	lc.waiters--
	if lc.waiters == 0 {
		if g.calls[key] == lc {
			delete(g.calls, key)
		}
		lc.cancel()
	}
}

// forget removes lc from the group, so that later callers start anew.
func (g *loginGroup) forget(key [sha256.Size]byte, lc *loginCall) {
	g.mu.Lock()
	if g.calls[key] == lc {
		delete(g.calls, key)
	}
	g.mu.Unlock()
}
