package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
)

// chromium is the one headless Chromium of the test binary; TestMain stops it.
var chromium testkit.Chromium

// browser opens a tab for one test in the shared Chromium (testkit.Chromium.Tab).
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	return chromium.Tab(t, timeout)
}
