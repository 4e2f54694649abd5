package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/exhgo/exh/internal/codegen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunWritesGeneratedFile(t *testing.T) {
	want, err := codegen.Generate()
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "codes.go")
	require.NoError(t, os.WriteFile(out, []byte("package exh // stale\n"), 0o644))

	require.NoError(t, run(out))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	require.NoError(t, run(out), "a second run over an up-to-date file")
	again, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(again))
}

func TestRunReportsUnwritableOutput(t *testing.T) {
	err := run(filepath.Join(t.TempDir(), "missing-dir", "codes.go"))
	assert.Error(t, err)
}
