package testkit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// module is the first line of the repository's go.mod, by which RepoRoot
// knows it.
const module = "module github.com/funnelscope/funnelscope\n"

// RepoRoot returns the repository's root: the nearest folder at or above
// the working directory (a test runs in its package's folder) whose go.mod
// is this module's. Not finding it fails the test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return root
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(b, []byte(module)) {
			return dir, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("reading %s: %w", filepath.Join(dir, "go.mod"), err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of github.com/funnelscope/funnelscope at or above the working directory")
		}
		dir = parent
	}
}

// FixtureDir returns the folder of the repository's Shopify payloads,
// testdata/shopify.
func FixtureDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", "shopify")
}

// Fixture returns the bytes of a payload of testdata/shopify; a missing
// one fails the test, never skips it.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(FixtureDir(t), name))
	if err != nil {
		t.Fatalf("testkit: fixture %s: %v (the fixtures are the repository's testdata/shopify)", name, err)
	}
	return b
}
