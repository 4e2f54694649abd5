package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// runMainEnv makes the test binary run main instead of the tests: the tests
// start it again in a child process with this variable set, to drive the
// program through its standard input and send it signals.
const runMainEnv = "EXH_MFA_LOGIN_TEST_RUN_MAIN"

// exitBound is how long the program may take to exit after Ctrl-C.
const exitBound = 5 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0) // main returned: a successful login
	}
	os.Exit(m.Run())
}

// TestCtrlCAtEachPrompt runs mfa-login against its embedded demo server with
// a pipe as standard input, answers up to the prompt under test, sends SIGINT
// while the program waits there for a line, and checks that it exits with
// status 130 within exitBound.
func TestCtrlCAtEachPrompt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("os.Process.Signal cannot send os.Interrupt on Windows")
	}
	const email, password = "demo@example.com\n", "demo-password\n"
	tests := []struct {
		name, input, prompt string
	}{
		{"email", "", "Email: "},
		{"password", email, "Password: (not a terminal: input is visible) "},
		{"method", email + password, "Method [1-2]: "},
		{"code", email + password + "1\n", "Code from Authenticator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdin, input, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = input.Close() }) // the input stays open: no end of input
			c := startChild(t, stdin)
			_ = stdin.Close()
			if _, err := io.WriteString(input, tt.input); err != nil {
				t.Fatal(err)
			}
			c.waitFor(t, tt.prompt)
			c.interrupt(t)
		})
	}
}

// child is mfa-login running in a child process.
type child struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer  // read only once done is closed
	done   chan struct{} // closed when the child has ended
	err    error         // the result of cmd.Wait, once done is closed

	mu      sync.Mutex
	stdout  strings.Builder // what the child wrote to its standard output
	changed chan struct{}   // signalled when stdout grows
}

// startChild starts mfa-login, reading from stdin, with the embedded demo
// server: the EXH_* variables of the test's environment are not passed on.
// The child is killed at the end of the test if it still runs.
func startChild(t *testing.T, stdin *os.File) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$"), done: make(chan struct{}), changed: make(chan struct{}, 1)}
	c.cmd.Env = []string{runMainEnv + "=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EXH_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	out, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = stdin, w, &c.stderr
	err = c.cmd.Start()
	_ = w.Close() // the child has its own copy: out ends when the child does
	if err != nil {
		_ = out.Close()
		t.Fatal(err)
	}
	go func() {
		defer out.Close()
		buf := make([]byte, 4096)
		for {
			n, err := out.Read(buf)
			c.mu.Lock()
			c.stdout.Write(buf[:n])
			c.mu.Unlock()
			select {
			case c.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// output returns what the child wrote to its standard output so far.
func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stdout.String()
}

// waitFor waits until the child's standard output holds prompt.
func (c *child) waitFor(t *testing.T, prompt string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(c.output(), prompt) {
		select {
		case <-c.changed:
		case <-c.done:
			if strings.Contains(c.output(), prompt) {
				return
			}
			t.Fatalf("the program ended (%v) before the prompt %q; output:\n%s\nstderr:\n%s",
				c.err, prompt, c.output(), c.stderr.String())
		case <-deadline:
			t.Fatalf("no prompt %q after 10s; output:\n%s", prompt, c.output())
		}
	}
}

// interrupt sends SIGINT, as Ctrl-C does, and checks that the child exits
// with status 130 within exitBound and says it was interrupted.
func (c *child) interrupt(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(exitBound):
		t.Fatalf("the program still waits %s after SIGINT; output:\n%s", exitBound, c.output())
	}
	var exitErr *exec.ExitError
	if !errors.As(c.err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Errorf("after SIGINT the program ended with %v, want exit status 130; stderr:\n%s", c.err, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "interrupted") {
		t.Errorf("stderr %q does not say that the program was interrupted", c.stderr.String())
	}
}
