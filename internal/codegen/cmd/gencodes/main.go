// Command gencodes writes codes.go of package exh from the table in
// internal/codegen/codes.txt. It runs through go generate in the module root:
//
//	go generate ./...
//
// The file is rewritten only when its contents change.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/exhgo/exh/internal/codegen"
)

func main() {
	out := flag.String("o", "codes.go", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gencodes:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	src, err := codegen.Generate()
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return nil
	}
	return os.WriteFile(out, src, 0o644)
}
