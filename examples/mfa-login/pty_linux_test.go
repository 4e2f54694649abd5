package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"unsafe"
)

// TestCtrlCAtHiddenPasswordRestoresEcho runs mfa-login with a pseudo-terminal
// as standard input, answers the email, and checks at the password prompt
// that the terminal's echo is off; then it sends SIGINT and checks that the
// program exits with status 130 within exitBound and that the echo is on
// again.
func TestCtrlCAtHiddenPasswordRestoresEcho(t *testing.T) {
	if _, err := exec.LookPath("stty"); err != nil {
		t.Skip("stty is not installed: mfa-login cannot hide the password")
	}
	terminal, tty := openPTY(t)
	if !echoOn(t, tty) {
		t.Fatal("a new pseudo-terminal should echo")
	}
	c := startChild(t, tty)
	if _, err := io.WriteString(terminal, "demo@example.com\n"); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, terminal) }() // what the terminal echoes

	c.waitFor(t, "Email: Password: ") // the prompt, without "(not a terminal …)"
	if echoOn(t, tty) {
		t.Fatal("the echo is on at the password prompt")
	}
	c.interrupt(t)
	if !echoOn(t, tty) {
		t.Error("after Ctrl-C at the password prompt the echo is still off")
	}
}

// openPTY opens a pseudo-terminal pair: the terminal side, where a user
// would type, and the tty the program reads. It skips the test when the
// system has no pseudo-terminals.
func openPTY(t *testing.T) (terminal, tty *os.File) {
	t.Helper()
	terminal, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { _ = terminal.Close() })
	var unlock int32
	if err := ioctl(terminal, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatalf("unlocking the pseudo-terminal: %v", err)
	}
	var n uint32
	if err := ioctl(terminal, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatalf("numbering the pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { _ = tty.Close() })
	return terminal, tty
}

// echoOn reports whether tty echoes what is typed.
func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	var state syscall.Termios
	if err := ioctl(tty, syscall.TCGETS, unsafe.Pointer(&state)); err != nil {
		t.Fatalf("reading the terminal's settings: %v", err)
	}
	return state.Lflag&syscall.ECHO != 0
}

func ioctl(f *os.File, request uintptr, arg unsafe.Pointer) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := conn.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, request, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
