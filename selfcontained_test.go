package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideRepo matches the ways a file could name the project's folders
// beside the repository: the sibling "shared" folder (as a relative path or
// as filepath.Join's elements) and the absolute tree they all sit in. The
// brackets keep the pattern from matching its own source.
var outsideRepo = regexp.MustCompile(`\.\./share[d]\b|"share[d]"\s*,|/wor[k]/`)

// TestNothingReadsOutsideTheRepository fails when a text file of code, data
// or CI in the repository names a folder outside it: a fresh clone must
// build, run and pass its tests on its own. Markdown is left out, since a
// link in a document reads nothing; so are binaries (a built app names its
// build folder), .git (a worktree's names the main repository) and node_modules
// (the type packages npm installs, not the repository's own files).
func TestNothingReadsOutsideTheRepository(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Name() == ".git" && d.IsDir(), d.Name() == "artifacts" && d.IsDir(), d.Name() == "node_modules" && d.IsDir():
			return filepath.SkipDir
		case d.IsDir(), d.Name() == ".git", !d.Type().IsRegular(), strings.EqualFold(filepath.Ext(path), ".md"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // a binary: a built app or database names its build folder, not a file it reads
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			if outsideRepo.MatchString(line) {
				t.Errorf("%s:%d names a folder outside the repository: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: not run from the repository's root?", checked)
	}
}
