package app

import (
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// TestAlertStatusLabel says each alert status in words, the reason of a
// failed or skipped alert with it.
func TestAlertStatusLabel(t *testing.T) {
	t.Parallel()
	digest := int64(4)
	for _, tc := range []struct {
		alert store.Alert
		want  string
	}{
		{store.Alert{Status: store.AlertSent, Mode: store.ModeImmediate}, "Sent"},
		{store.Alert{Status: store.AlertSent, Mode: store.ModeDigest, DigestID: &digest}, "Sent"},
		{store.Alert{Status: store.AlertQueued, Mode: store.ModeDigest}, "Waiting for digest"},
		{store.Alert{Status: store.AlertQueued, Mode: store.ModeDigest, DigestID: &digest}, "Sending in a digest"},
		{store.Alert{Status: store.AlertQueued, Mode: store.ModeImmediate}, "Sending"},
		{store.Alert{Status: store.AlertQueued, Mode: store.ModeImmediate, Attempts: 2, LastError: "The chat webhook gave no answer within 15 s."},
			"Retrying: The chat webhook gave no answer within 15 s."},
		{store.Alert{Status: store.AlertFailed, LastError: "The mail server refused the app's login (authentication failed)."},
			"Failed: The mail server refused the app's login (authentication failed)."},
		{store.Alert{Status: store.AlertFailed}, "Failed"},
		{store.Alert{Status: store.AlertSkipped, LastError: "Alerts were turned off."}, "Not sent: Alerts were turned off."},
	} {
		if got := alertStatusLabel(tc.alert); got != tc.want {
			t.Errorf("alertStatusLabel(%+v) = %q, want %q", tc.alert, got, tc.want)
		}
	}
}

// TestCSVCell escapes exactly the cells a spreadsheet would evaluate.
func TestCSVCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+49 30 1": "'+49 30 1", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "Mug": "Mug", "1 + 2": "1 + 2", "a=b": "a=b", "'quoted": "'quoted", "ünïcode": "ünïcode",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}
