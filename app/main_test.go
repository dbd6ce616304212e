package app_test

import (
	"os"
	"testing"
)

// TestMain stops the shared Chromium once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Stop()
	os.Exit(code)
}
