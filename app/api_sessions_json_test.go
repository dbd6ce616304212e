package app

import (
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestSessionJSONWritesTheServersLabels: a session's labels and value text
// are funnel's, its value in the shop's currency when its events named
// none, as the alerts write it.
func TestSessionJSONWritesTheServersLabels(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	start := now.Add(-3 * time.Hour)
	s := funnel.Session{Key: "k", StartedAt: start, LastActivity: start, AddedToCartAt: &start, Value: 123450}
	for _, tc := range []struct{ own, shop, want string }{
		{"", "SEK", "1,234.50 SEK"},
		{"EUR", "SEK", "€1,234.50"},
		{"", "", "1,234.50"},
	} {
		s.Currency = tc.own
		j := toSessionJSON(s, tc.shop, now, time.Hour)
		if j.ValueDisplay != tc.want || j.Currency != tc.own || j.Value != "1234.50" {
			t.Errorf("currency %q in a %q shop: value %q %q, display %q; want display %q", tc.own, tc.shop, j.Value, j.Currency, j.ValueDisplay, tc.want)
		}
		if j.Status != funnel.StatusAbandonedCart || j.StatusLabel != "Abandoned cart" || j.FurthestStageLabel != "Added to cart" {
			t.Errorf("status %q labelled %q, stage labelled %q", j.Status, j.StatusLabel, j.FurthestStageLabel)
		}
	}
}
