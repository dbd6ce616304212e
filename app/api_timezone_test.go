package app_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// zoneReport is what these tests read from /api/funnel.
type zoneReport struct {
	From, To, Timezone string
	Stages             []struct{ Sessions int64 }
}

func (h *harness) zoneReport(shop, query string) zoneReport {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	var r zoneReport
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil || len(r.Stages) == 0 {
		h.t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	return r
}

// trendCarts returns the trend's days and their carts.
func (h *harness) trendCarts(shop, query string) (days []string, carts []int64, zone string) {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/trend?"+query, shop, nil)
	var tr struct {
		Timezone string
		Days     []struct {
			Date     string
			Sessions []int64
		}
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tr) != nil {
		h.t.Fatalf("/api/trend?%s: %d %s", query, resp.StatusCode, body)
	}
	for _, d := range tr.Days {
		days, carts = append(days, d.Date), append(carts, d.Sessions[0])
	}
	return days, carts, tr.Timezone
}

// sessionKeys returns the keys /api/sessions lists for the query.
func (h *harness) sessionKeys(shop, query string) []string {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/sessions?"+query, shop, nil)
	var page struct{ Sessions []struct{ Key string } }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
		h.t.Fatalf("/api/sessions?%s: %d %s", query, resp.StatusCode, body)
	}
	keys := []string{}
	for _, s := range page.Sessions {
		keys = append(keys, s.Key)
	}
	return keys
}

// TestShopToday checks that "today" is the shop's today: at 03:00 UTC on
// 24 November it is still the 23rd in New York, and a cart started at
// 02:00 UTC on the 24th counts under the 23rd, in the report, the trend,
// the list and the page.
func TestShopToday(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC))
		const shop = "new-york.myshopify.com"
		sh := h.install(shop)
		// What the install job saves from Shopify's shop details.
		if err := st.SetShopDetails(t.Context(), sh.ID, "USD", "America/New_York"); err != nil {
			t.Fatal(err)
		}
		for _, d := range journey(t, 1, funnel.StageAddedToCart, time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), 1500) {
			h.webhook(d.topic, shop, d.id, d.body)
		}

		r := h.zoneReport(shop, "")
		if r.From != "2026-10-25" || r.To != "2026-11-23" || r.Timezone != "America/New_York" || r.Stages[0].Sessions != 1 {
			t.Errorf("default report = %+v, want 2026-10-25..2026-11-23 in America/New_York with the cart", r)
		}
		if r := h.zoneReport(shop, "from=2026-11-23&to=2026-11-23"); r.Stages[0].Sessions != 1 {
			t.Errorf("2026-11-23 holds %d carts, want 1", r.Stages[0].Sessions)
		}
		if r := h.zoneReport(shop, "from=2026-11-24&to=2026-11-24"); r.Stages[0].Sessions != 0 {
			t.Errorf("2026-11-24 holds %d carts, want 0: it has not begun in New York", r.Stages[0].Sessions)
		}
		days, carts, zone := h.trendCarts(shop, "")
		if n := len(days); n != 30 || days[n-1] != "2026-11-23" || carts[n-1] != 1 || zone != "America/New_York" {
			t.Errorf("trend ends %v with %v carts (%s), want 2026-11-23 with 1", days[max(n-2, 0):], carts[max(n-2, 0):], zone)
		}
		if keys := h.sessionKeys(shop, "from=2026-11-23&to=2026-11-23"); !reflect.DeepEqual(keys, []string{"cart-001"}) {
			t.Errorf("sessions of 2026-11-23 = %v, want cart-001", keys)
		}
		if keys := h.sessionKeys(shop, "from=2026-11-24&to=2026-11-24"); len(keys) != 0 {
			t.Errorf("sessions of 2026-11-24 = %v, want none", keys)
		}
		resp, body := h.get("/?shop=" + shop + "&id_token=" + h.sessionToken(shop))
		page := string(body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-today="2026-11-23"`) ||
			!strings.Contains(page, `data-timezone="America/New_York"`) || !strings.Contains(page, "time zone, America/New_York") {
			t.Errorf("the page does not give the shop's today and zone: %d %s", resp.StatusCode, page[:min(len(page), 400)])
		}
	})
}

// TestZoneChangeRebuckets checks that the shop's days follow its zone as it
// is learnt and changed: UTC until known, then the shop's own zone, then
// the one chosen in Settings, past days included, with no rebuild between.
func TestZoneChangeRebuckets(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
		const shop = "moving.myshopify.com"
		sh := h.install(shop)
		// Three carts: 23:30 UTC on the 20th is the 20th in New York and the
		// 21st in Kolkata; 02:00 UTC on the 21st is still the 20th in New
		// York; 20:00 UTC on the 21st is already the 22nd in Kolkata.
		for i, at := range []time.Time{
			time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC),
			time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC),
		} {
			for _, d := range journey(t, i+1, funnel.StageAddedToCart, at, 1000) {
				h.webhook(d.topic, shop, d.id, d.body)
			}
		}
		const week = "from=2026-11-20&to=2026-11-22"
		check := func(when, zone string, want []int64, the21st []string) {
			t.Helper()
			days, carts, got := h.trendCarts(shop, week)
			if got != zone || !reflect.DeepEqual(days, []string{"2026-11-20", "2026-11-21", "2026-11-22"}) || !reflect.DeepEqual(carts, want) {
				t.Errorf("%s: trend %v %v in %s, want %v in %s", when, days, carts, got, want, zone)
			}
			if r := h.zoneReport(shop, "from=2026-11-21&to=2026-11-21"); r.Stages[0].Sessions != int64(len(the21st)) || r.Timezone != zone {
				t.Errorf("%s: 2026-11-21 holds %d carts (%s), want %d", when, r.Stages[0].Sessions, r.Timezone, len(the21st))
			}
			if keys := h.sessionKeys(shop, "from=2026-11-21&to=2026-11-21&status=abandoned_cart"); !reflect.DeepEqual(keys, the21st) {
				t.Errorf("%s: sessions of 2026-11-21 = %v, want %v", when, keys, the21st)
			}
			_, body := h.api(http.MethodGet, "/api/settings", shop, nil)
			if !strings.Contains(string(body), `"timezone":"`+zone+`"`) {
				t.Errorf("%s: settings show %s, want the zone %s", when, body, zone)
			}
		}
		if err := h.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		check("before the zone is known", "UTC", []int64{1, 2, 0}, []string{"cart-003", "cart-002"})
		if err := st.SetShopDetails(t.Context(), sh.ID, "USD", "America/New_York"); err != nil {
			t.Fatal(err)
		}
		check("in the shop's own zone", "America/New_York", []int64{2, 1, 0}, []string{"cart-003"})
		if resp, body := h.api(http.MethodPut, "/api/settings", shop, map[string]any{"timezone": "Asia/Kolkata"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT timezone: %d %s", resp.StatusCode, body)
		}
		check("in the zone chosen in Settings", "Asia/Kolkata", []int64{0, 2, 1}, []string{"cart-002", "cart-001"})
		if resp, body := h.api(http.MethodPut, "/api/settings", shop, map[string]any{"timezone": "UTC"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT timezone: %d %s", resp.StatusCode, body)
		}
		// UTC chosen in Settings outranks the shop's New York.
		check("after a second change", "UTC", []int64{1, 2, 0}, []string{"cart-003", "cart-002"})
	})
}
