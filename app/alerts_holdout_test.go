package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// orderFor is an orders/create delivery that completes the cart token at
// at, for cents.
func orderFor(t *testing.T, n int, token string, at time.Time, cents int64) delivery {
	t.Helper()
	stamp := at.UTC().Format(time.RFC3339)
	price := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	p := loadPayload(t, "orders_create.json").with(t, map[string]any{
		"id": 820982911946154000 + n, "cart_token": token, "checkout_token": nil, "checkout_id": nil,
		"created_at": stamp, "processed_at": stamp, "updated_at": stamp, "total_price": price, "subtotal_price": price,
	})
	return delivery{topic: "orders/create", id: token + "-order", body: p.bytes(t)}
}

// TestAlertHoldout: with a 50% hold-out, exactly the carts funnel.HeldOut
// names get a held-out alert and no message, the others are sent; the
// report's alert_holdout counts both groups and their recoveries, with the
// Wilson intervals, the Newcombe interval of the difference, and the plain
// "recovered after an alert" beside them.
func TestAlertHoldout(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		h := r.harness
		const shop = "holdout-shop.myshopify.com"
		sh := r.install(shop)
		r.putSettings(shop, map[string]any{"alerts_enabled": true, "chat_webhook_url": r.chat.srv.URL + "/hook",
			"immediate_min_value": "0.00", "min_value": "1.00", "holdout_percent": 50})
		now := r.clock.Now()
		var keys []string
		held := map[string]bool{}
		for i := range 16 {
			key := fmt.Sprintf("hold-cart-%02d", i)
			keys = append(keys, key)
			held[key] = funnel.HeldOut(key, 50)
			r.deliverAll(shop, []delivery{cartWith(t, key, "Lamp", now.Add(-2*time.Hour), 2000)})
		}
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		list := r.waitAlerts(shop, len(keys))
		heldN := 0
		for _, a := range list {
			want := store.AlertSent
			if held[a.SessionKey] {
				want, heldN = store.AlertHeldOut, heldN+1
			}
			if a.Status != want {
				t.Errorf("%s: status %s, want %s", a.SessionKey, a.Status, want)
			}
		}
		r.waitJobsDone()
		if bodies, _ := r.chat.received(); len(bodies) != len(keys)-heldN || heldN == 0 || heldN == len(keys) {
			t.Fatalf("%d chat messages for %d carts of which %d held out", len(bodies), len(keys), heldN)
		}

		// Later, two carts of each group are bought.
		bought := map[bool]int{}
		var recoveredValue = map[bool]int64{}
		for i, key := range keys {
			if bought[held[key]] == 2 {
				continue
			}
			bought[held[key]]++
			recoveredValue[held[key]] += 2000
			r.deliverAll(shop, []delivery{orderFor(t, i, key, r.clock.Now().Add(time.Minute), 2000)})
		}
		for _, key := range keys[:1] {
			if s, err := st.SessionByKey(t.Context(), sh.ID, key); err != nil || !s.Completed() {
				t.Fatalf("%s not completed by its order: %v", key, err)
			}
		}

		from := now.AddDate(0, 0, -1).Format("2006-01-02")
		to := now.AddDate(0, 0, 1).Format("2006-01-02")
		resp, body := h.api(http.MethodGet, "/api/funnel?from="+from+"&to="+to, shop, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/api/funnel: %d %s", resp.StatusCode, body)
		}
		var rep struct {
			AlertHoldout *funnel.HoldoutJSON `json:"alert_holdout"`
			Stages       []json.RawMessage   `json:"stages"`
		}
		if err := json.Unmarshal(body, &rep); err != nil || rep.AlertHoldout == nil || len(rep.Stages) == 0 {
			t.Fatalf("/api/funnel: %v %s", err, body)
		}
		ah := rep.AlertHoldout
		alerted := int64(len(keys) - heldN)
		if ah.Alerted.Carts != alerted || ah.Alerted.Recovered != 2 || ah.HeldOut.Carts != int64(heldN) || ah.HeldOut.Recovered != 2 ||
			ah.Alerted.RecoveredValue != "40.00" || ah.HeldOut.RecoveredValue != "40.00" {
			t.Errorf("groups: alerted %+v, held out %+v", ah.Alerted, ah.HeldOut)
		}
		if lo, hi := funnel.Wilson(2, alerted); *ah.Alerted.RateLow != lo || *ah.Alerted.RateHigh != hi {
			t.Errorf("alerted interval [%v, %v], want [%v, %v]", *ah.Alerted.RateLow, *ah.Alerted.RateHigh, lo, hi)
		}
		if lo, hi := funnel.NewcombeDiff(2, alerted, 2, int64(heldN)); *ah.LiftLow != lo || *ah.LiftHigh != hi {
			t.Errorf("lift interval [%v, %v], want [%v, %v]", *ah.LiftLow, *ah.LiftHigh, lo, hi)
		}
		if ah.Verdict != funnel.HoldoutTooFew {
			t.Errorf("verdict %s with %d and %d carts", ah.Verdict, alerted, heldN)
		}
		if ah.RecoveredAfterAlert.Carts != alerted || ah.RecoveredAfterAlert.Recovered != 2 {
			t.Errorf("plain figure %+v, want the %d sent alerts and 2 bought after", ah.RecoveredAfterAlert, alerted)
		}
	})
}
