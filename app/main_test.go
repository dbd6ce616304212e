package app_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain stops the shared Chromium and drops the shared demo histories
// once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Stop()
	for _, s := range demoSeeds {
		if err := s.Drop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}
