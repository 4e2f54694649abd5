// Package prompt holds what the interactive examples share: a main that
// turns Ctrl-C into a cancelled context and an exit status, and a Prompter
// whose questions return as soon as that context ends, even while they wait
// for a line. It is internal, so programs cannot import it, but it is short
// enough to copy.
package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
)

// ErrNoInput is returned by Ask and AskHidden when the input ends before an
// answer, as it does when standard input is not a terminal.
var ErrNoInput = errors.New("no more input: standard input ended; run the program in a terminal")

// ErrReported tells Main that run has already told the user why it failed:
// Main exits with status 1 without printing anything.
var ErrReported = errors.New("the failure was reported")

// Main runs run with a context that Ctrl-C cancels, instead of killing the
// program: a prompt waiting for a line, a delay being waited out or a call
// in flight returns, and run's deferred clean-ups (the terminal's echo among
// them) run before the exit. Main exits with status 0 when run succeeds, 130
// (128 + SIGINT, as a shell reports it) when it fails after Ctrl-C, and 1
// when it fails otherwise, printing "name: " and the error on standard error.
func Main(name string, run func(context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx)
	interrupted := ctx.Err() != nil // read before stop, which cancels ctx too
	stop()
	switch {
	case err != nil && interrupted:
		fmt.Fprintf(os.Stderr, "\n%s: interrupted\n", name)
		os.Exit(130)
	case errors.Is(err, ErrReported):
		os.Exit(1)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Prompter asks questions on an output and reads the answers, one line each,
// from an input. Its methods return ctx's error as soon as ctx ends, also
// while they wait for a line: a plain read of standard input could not be
// interrupted. Use one Prompter per input.
type Prompter struct {
	in  io.Reader
	out io.Writer
	// echoOff turns off the terminal's echo and returns a function that
	// turns it back on; hidden is false when it cannot (see sttyEchoOff).
	echoOff func() (restore func(), hidden bool)

	start sync.Once
	lines chan string // closed when the input ends
	err   error       // why the input ended; set before lines is closed
}

// New returns a Prompter that reads the answers from in and writes the
// questions to out. AskHidden hides what is typed only when in is a
// terminal, such as os.Stdin in a terminal.
func New(in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{in: in, out: out, echoOff: func() (func(), bool) { return nil, false }}
	if f, ok := in.(*os.File); ok {
		p.echoOff = func() (func(), bool) { return sttyEchoOff(f) }
	}
	return p
}

// Ask prints text and waits for a non-empty line, which it returns without
// the spaces around it. It returns ErrNoInput when the input ends first,
// and ctx's error when ctx ends first (Ctrl-C).
func (p *Prompter) Ask(ctx context.Context, text string) (string, error) {
	return p.read(ctx, text, false)
}

// AskHidden is Ask without echo: in a terminal, what is typed is not shown.
// When the input is not a terminal (or stty is missing) it says so after
// text and reads the line as is. The echo is back on when it returns,
// whatever ended the wait.
func (p *Prompter) AskHidden(ctx context.Context, text string) (string, error) {
	restore, hidden := p.echoOff()
	if !hidden {
		return p.read(ctx, text+"(not a terminal: input is visible) ", false)
	}
	defer restore()
	return p.read(ctx, text, true)
}

// read prints text and waits for a non-empty line, for the end of the input
// or for the end of ctx, whichever comes first.
func (p *Prompter) read(ctx context.Context, text string, hidden bool) (string, error) {
	p.start.Do(func() {
		p.lines = make(chan string)
		go p.readLines()
	})
	for {
		fmt.Fprint(p.out, text)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case l, ok := <-p.lines:
			if hidden || !ok {
				fmt.Fprintln(p.out) // the Enter key was not echoed, or never came
			}
			switch {
			case !ok && p.err == io.EOF:
				return "", ErrNoInput
			case !ok:
				return "", fmt.Errorf("reading standard input: %w", p.err)
			case l != "":
				return l, nil
			}
		}
	}
}

// readLines sends the input's lines, trimmed, on p.lines until the input
// ends; then it records why in p.err and closes p.lines, so that every later
// question sees the end too. It runs in its own goroutine, so that a
// question can wait for a line and for ctx at once.
func (p *Prompter) readLines() {
	in := bufio.NewReader(p.in)
	for {
		text, err := in.ReadString('\n')
		if err != nil && (err != io.EOF || text == "") {
			p.err = err
			close(p.lines)
			return
		}
		p.lines <- strings.TrimSpace(text)
	}
}

// sttyEchoOff turns off the echo of the terminal tty with `stty -echo` and
// returns a function that restores the terminal's previous settings. hidden
// is false when tty is not a terminal or stty is not available.
func sttyEchoOff(tty *os.File) (restore func(), hidden bool) {
	state, err := stty(tty, "-g")
	if err != nil {
		return nil, false
	}
	if _, err := stty(tty, "-echo"); err != nil {
		return nil, false
	}
	return func() { _, _ = stty(tty, state) }, true
}

// stty runs stty on tty and returns its output.
func stty(tty *os.File, args ...string) (string, error) {
	cmd := exec.Command("stty", args...)
	cmd.Stdin = tty
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
