package store_test

import (
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// TestSettingsLocation is the one zone rule: the zone chosen in Settings,
// else the shop's own, else UTC; a name that does not load is passed over.
func TestSettingsLocation(t *testing.T) {
	t.Parallel()
	chosen := func(zone string) store.Settings { return store.Settings{Alerts: &store.AlertSettings{Timezone: zone}} }
	for _, tc := range []struct {
		set  store.Settings
		shop string
		want string
	}{
		{store.Settings{}, "", "UTC"},
		{store.Settings{}, "America/Toronto", "America/Toronto"},
		{chosen(""), "America/Toronto", "America/Toronto"},
		{chosen("Asia/Kolkata"), "America/Toronto", "Asia/Kolkata"},
		{chosen("Asia/Kolkata"), "", "Asia/Kolkata"},
		{chosen("Mars/Olympus_Mons"), "America/Toronto", "America/Toronto"},
		{chosen("Local"), "Local", "UTC"},
		{chosen(""), "Not/A_Zone", "UTC"},
	} {
		if got := tc.set.Location(store.Shop{Timezone: tc.shop}).String(); got != tc.want {
			t.Errorf("settings %+v, shop %q: Location = %s, want %s", tc.set.Alerts, tc.shop, got, tc.want)
		}
	}
}
