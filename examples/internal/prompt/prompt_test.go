package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// mainEnv makes the test binary run Main instead of the tests, with the run
// function it names: TestMainExit starts it again in a child process.
const mainEnv = "EXH_PROMPT_TEST_MAIN"

// bound is how long a question may take to return once its wait is over.
const bound = 5 * time.Second

func TestMain(m *testing.M) {
	if run, ok := childRuns[os.Getenv(mainEnv)]; ok {
		Main("demo", run)
		os.Exit(0) // Main returned: run succeeded
	}
	goleak.VerifyTestMain(m) // the reading goroutine ends with its input
}

// childRuns are the run functions that a child process gives Main.
var childRuns = map[string]func(context.Context) error{
	"success":  func(context.Context) error { return nil },
	"failure":  func(context.Context) error { return errors.New("boom") },
	"reported": func(context.Context) error { return ErrReported },
	"wait": func(ctx context.Context) error {
		_, err := New(os.Stdin, os.Stdout).Ask(ctx, "ready: ")
		return err
	},
}

// TestMainExit runs Main in a child process and checks its exit status and
// what it prints on standard error, Ctrl-C at a prompt included.
func TestMainExit(t *testing.T) {
	tests := []struct {
		run        string
		wantStatus int
		wantStderr string
	}{
		{run: "success", wantStatus: 0, wantStderr: ""},
		{run: "failure", wantStatus: 1, wantStderr: "demo: boom\n"},
		{run: "reported", wantStatus: 1, wantStderr: ""},
		{run: "wait", wantStatus: 130, wantStderr: "\ndemo: interrupted\n"},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			if tt.run == "wait" && runtime.GOOS == "windows" {
				t.Skip("os.Process.Signal cannot send os.Interrupt on Windows")
			}
			t.Parallel()
			stdin, input, err := os.Pipe()
			require.NoError(t, err)
			t.Cleanup(func() { _ = input.Close() }) // open until the end: no end of input
			stdout, w, err := os.Pipe()
			require.NoError(t, err)
			var stderr bytes.Buffer
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), mainEnv+"="+tt.run)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, w, &stderr
			require.NoError(t, cmd.Start())
			_ = stdin.Close()
			_ = w.Close()
			if tt.run == "wait" {
				got := make([]byte, len("ready: "))
				_, err := io.ReadFull(stdout, got) // the child waits at its prompt
				require.NoError(t, err)
				require.Equal(t, "ready: ", string(got))
				require.NoError(t, cmd.Process.Signal(os.Interrupt))
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(bound):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("the child still runs after %s", bound)
			}
			_ = stdout.Close()
			status := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				status = exitErr.ExitCode()
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.wantStatus, status, "stderr: %q", stderr.String())
			require.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

// TestAsk reads answers from an input that ends without a final line break.
func TestAsk(t *testing.T) {
	var out bytes.Buffer
	p := New(strings.NewReader("\n  123456 \nlast"), &out)

	got, err := p.Ask(t.Context(), "code: ")
	require.NoError(t, err)
	require.Equal(t, "123456", got, "empty lines are skipped, spaces trimmed")
	require.Equal(t, "code: code: ", out.String(), "asked again after the empty line")

	got, err = p.Ask(t.Context(), "next: ")
	require.NoError(t, err)
	require.Equal(t, "last", got, "the last line needs no line break")

	out.Reset()
	for range 2 { // every question after the end sees it
		_, err = p.Ask(t.Context(), "more: ")
		require.ErrorIs(t, err, ErrNoInput)
		require.ErrorContains(t, err, "standard input ended")
	}
	require.Equal(t, "more: \nmore: \n", out.String(), "the line ends after the prompt")
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestAskReadError(t *testing.T) {
	broken := errors.New("device gone")
	_, err := New(errReader{broken}, io.Discard).Ask(t.Context(), "code: ")
	require.ErrorIs(t, err, broken)
	require.NotErrorIs(t, err, ErrNoInput)
}

// TestAskCtrlC cancels ctx while Ask waits for a line that never comes.
func TestAskCtrlC(t *testing.T) {
	input, w := io.Pipe()
	defer w.Close() // ends the reading goroutine
	p := New(input, io.Discard)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.Ask(ctx, "code: ")
	require.ErrorIs(t, err, context.Canceled, "an ended ctx returns at once")

	ctx, cancel = context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err = p.Ask(ctx, "code: ")
	require.ErrorIs(t, err, context.Canceled, "Ctrl-C ends the wait")
	require.Less(t, time.Since(start), bound)

	go func() { _, _ = io.WriteString(w, "42\n") }()
	got, err := p.Ask(t.Context(), "code: ")
	require.NoError(t, err)
	require.Equal(t, "42", got, "the Prompter still works after a cancelled question")
}

// TestAskHiddenRestoresEcho checks the password prompt's terminal handling
// without a terminal: AskHidden turns the echo off before it waits, and turns
// it back on however the wait ends — a line, the end of the input, or Ctrl-C
// (ctx cancelled while it waits).
func TestAskHiddenRestoresEcho(t *testing.T) {
	tests := []struct {
		name    string
		send    func(w *io.PipeWriter) // nil: cancel ctx instead
		want    string
		wantErr error
	}{
		{name: "line", send: func(w *io.PipeWriter) { _, _ = io.WriteString(w, "pa ss\n") }, want: "pa ss"},
		{name: "end of input", send: func(w *io.PipeWriter) { _ = w.Close() }, wantErr: ErrNoInput},
		{name: "Ctrl-C", wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input, w := io.Pipe()
			defer w.Close()      // ends the reading goroutine
			var out bytes.Buffer // read once AskHidden has returned
			off, restored := make(chan struct{}, 1), make(chan struct{}, 1)
			p := New(input, &out)
			p.echoOff = func() (func(), bool) {
				off <- struct{}{}
				return func() { restored <- struct{}{} }, true
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			type result struct {
				text string
				err  error
			}
			done := make(chan result, 1)
			go func() {
				text, err := p.AskHidden(ctx, "Password: ")
				done <- result{text, err}
			}()

			select {
			case <-off:
			case <-time.After(bound):
				t.Fatal("AskHidden did not turn the echo off")
			}
			select {
			case r := <-done:
				t.Fatalf("AskHidden returned (%v) before any input", r.err)
			case <-time.After(50 * time.Millisecond): // it waits for input
			}
			if tt.send != nil {
				go tt.send(w)
			} else {
				cancel()
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(bound):
				t.Fatalf("AskHidden did not return within %s", bound)
			}
			if r.text != tt.want || !errors.Is(r.err, tt.wantErr) {
				t.Errorf("AskHidden = %q, %v; want %q, %v", r.text, r.err, tt.want, tt.wantErr)
			}
			select {
			case <-restored:
			default:
				t.Error("AskHidden returned with the echo still off")
			}
			if tt.send != nil && out.String() != "Password: \n" {
				t.Errorf("output %q, want the prompt and a line break for the Enter key that was not echoed", out.String())
			}
		})
	}
}

// TestAskHiddenNotATerminal reads a hidden answer from inputs that are not
// terminals, a file among them: stty cannot turn the echo off, and the
// prompt says that the input is visible.
func TestAskHiddenNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = io.WriteString(w, "pa ss\n")
	require.NoError(t, err)
	require.NoError(t, w.Close())

	for name, in := range map[string]io.Reader{"reader": strings.NewReader("pa ss\n"), "pipe": r} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := New(in, &out).AskHidden(t.Context(), "Password: ")
			require.NoError(t, err)
			require.Equal(t, "pa ss", got)
			require.Equal(t, "Password: (not a terminal: input is visible) ", out.String())
		})
	}
}
