package app

import (
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// TestAlertStatusLabel: every status an alert can have reads as words,
// and a queued digest alert says it waits for its digest.
func TestAlertStatusLabel(t *testing.T) {
	for _, c := range []struct{ status, mode, want string }{
		{store.AlertQueued, store.ModeImmediate, "Sending"},
		{store.AlertQueued, store.ModeDigest, "Waiting for digest"},
		{store.AlertSent, store.ModeDigest, "Sent"},
		{store.AlertFailed, store.ModeImmediate, "Failed"},
		{store.AlertSkipped, store.ModeImmediate, "Not sent"},
	} {
		if got := alertStatusLabel(c.status, c.mode); got != c.want {
			t.Errorf("alertStatusLabel(%s, %s) = %q, want %q", c.status, c.mode, got, c.want)
		}
	}
}
