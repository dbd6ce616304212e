package demo_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

const fillShop = "fill-demo.myshopify.com"

// TestFillStorefrontReachesVisits fills a small demo history into a real
// server — the webhooks, then the storefront's events through POST
// /collect on the replay clock — and checks that the visits are stored
// over the whole history (older than the collector's 30 days too), with
// devices and micro conversions, and that the cart sessions join them.
func TestFillStorefrontReachesVisits(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fillAndCheck(t, d)
		})
	}
}

func fillAndCheck(t *testing.T, dialect string) {
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.URL(t, dialect), store.Options{EncryptionKey: storetest.Key()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	replay := &demo.ReplayClock{}
	a, err := app.New(app.Config{APIKey: "fill-key", APISecret: "fill-secret", AppURL: "http://127.0.0.1",
		Scopes: "read_orders", APIVersion: app.DefaultAPIVersion, AbandonAfter: time.Hour,
		PayloadRetention: app.DefaultPayloadRetention}, st, app.Options{CollectNow: replay.Now, ManualScans: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	shop, err := st.InstallShop(ctx, fillShop, store.Tokens{AccessToken: "t", Scope: "read_orders"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := st.EnsurePixelKey(ctx, shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := demo.History{BaseURL: srv.URL, Shop: fillShop, APIKey: "fill-key", Secret: "fill-secret",
		Now: func() time.Time { return now }, Seed: 5, Sessions: 100, Days: 60, Browsers: 3, PixelKey: key, Replay: replay, Progress: testLog{t},
		Changes: []demo.Change{
			{Ago: 20 * 24 * time.Hour, Kind: funnel.ChangePriceChanged, Description: "Mugs from $12 to $14"},
			{Ago: 3*24*time.Hour + 2*time.Hour, Kind: funnel.ChangeThemePublished, Theme: "Fill theme",
				After: []journeys.Effect{{Step: funnel.StageCompleted, Device: funnel.DeviceMobile, Factor: 0.5}}},
		}}
	h.Folded = st.DrainStorefront
	var scanned []time.Time
	h.ScanAt = func(_ context.Context, at time.Time) error {
		scanned = append(scanned, at)
		return nil
	}
	if _, err := demo.Fill(ctx, h); err != nil {
		t.Fatal(err)
	}
	checkChanges(t, st, shop.ID, now, scanned)
	if got := replay.Now(); now.Sub(got) > time.Minute && got.Sub(now) > time.Minute {
		t.Errorf("after the fill the replay clock reads %s, not the real clock", got)
	}
	want := h.Visits()
	visits, err := st.Visits(ctx, shop.ID, now.AddDate(0, 0, -70), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(visits) != len(want) {
		t.Fatalf("%d visits stored, the history has %d", len(visits), len(want))
	}
	devices := map[funnel.Device]int{}
	micro := map[funnel.MicroKey]int{}
	old, withCart := 0, 0
	for _, v := range visits {
		devices[v.Device]++
		for _, pm := range funnel.PageMicros() {
			for _, m := range pm.Micro {
				if v.Micro(m) {
					micro[m]++
				}
			}
		}
		if now.Sub(v.Start) > 31*24*time.Hour {
			old++
		}
		if len(v.CartTokens) > 0 {
			withCart++
		}
	}
	if devices[funnel.DeviceMobile] <= devices[funnel.DeviceDesktop] || devices[funnel.DeviceTablet] == 0 || devices[funnel.DeviceUnknown] > 0 {
		t.Errorf("devices %v", devices)
	}
	for _, pm := range funnel.PageMicros() {
		for _, m := range pm.Micro {
			if micro[m] == 0 {
				t.Errorf("no stored visit made %s (%v)", m, micro)
			}
		}
	}
	if old == 0 {
		t.Error("no visit older than the collector's 30 days was stored: the replay did not place them")
	}
	// Every cart session of a shopper the pixel saw takes its visit's device.
	seen := map[string]funnel.Device{}
	for _, v := range want {
		if v.Shopper != nil {
			seen[v.Shopper.Cart] = v.Device.Kind
		}
	}
	if withCart != len(seen) {
		t.Errorf("%d stored visits carry a cart token, %d cart shoppers were seen", withCart, len(seen))
	}
	sessions, total, err := st.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID, Limit: store.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	if total > int64(len(sessions)) {
		t.Fatalf("%d sessions, more than a page", total)
	}
	joined := 0
	for _, s := range sessions {
		dev, ok := seen[s.CartToken]
		switch {
		case ok && s.Device != dev:
			t.Errorf("session %s: device %q, its visit's is %q", s.CartToken, s.Device, dev)
		case ok:
			joined++
		case s.Device != funnel.DeviceUnknown && s.Device != "":
			t.Errorf("session %s has no visit but device %q", s.CartToken, s.Device)
		}
	}
	if joined != len(seen) || joined == 0 {
		t.Errorf("%d sessions joined their visits, %d cart shoppers were seen", joined, len(seen))
	}
}

// testLog writes Fill's progress lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// checkChanges: the fill recorded both changes, the price change as the
// merchant's and the theme from its webhook, at their times, and called
// the scan at 20:00 UTC of every day after the theme, in order.
func checkChanges(t *testing.T, st *store.Store, shopID int64, now time.Time, scanned []time.Time) {
	t.Helper()
	got, err := st.Changes(t.Context(), shopID, time.Time{}, now.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	base := now.Truncate(time.Second)
	price, theme := base.Add(-20*24*time.Hour), base.Add(-(3*24*time.Hour + 2*time.Hour))
	found := map[funnel.ChangeKind]store.Change{}
	for _, c := range got {
		found[c.Kind] = c
	}
	if c := found[funnel.ChangePriceChanged]; len(got) != 2 || !c.At.Equal(price) || c.Source != funnel.ChangeFromMerchant || c.Description != "Mugs from $12 to $14" {
		t.Errorf("changes %+v: want the price change at %s from the merchant", got, price)
	}
	if c := found[funnel.ChangeThemePublished]; !c.At.Equal(theme) || c.Source != funnel.ChangeFromWebhook || !strings.Contains(c.Description, "Fill theme") {
		t.Errorf("changes %+v: want the theme at %s from its webhook", got, theme)
	}
	var want []time.Time
	day := time.Date(theme.Year(), theme.Month(), theme.Day(), 20, 0, 0, 0, time.UTC)
	if !day.After(theme) {
		day = day.Add(24 * time.Hour)
	}
	for ; !day.After(now); day = day.Add(24 * time.Hour) {
		want = append(want, day)
	}
	if len(scanned) != len(want) || len(want) < 3 {
		t.Fatalf("scanned at %v, want %v", scanned, want)
	}
	for i := range want {
		if !scanned[i].Equal(want[i]) {
			t.Errorf("scan %d at %s, want %s", i, scanned[i], want[i])
		}
	}
}
