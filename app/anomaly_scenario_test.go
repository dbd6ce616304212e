package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/store"
)

// anomalyDay seeds one day of a shop's shoppers from 00:00 UTC: perDevice
// shoppers on each of phone and desktop, spread over 18 hours, who all
// reach payment; 70% of them order, except on the phone from shopper
// dropFrom on (12:00 when dropFrom is two thirds of perDevice), where
// only 10% do. dropFrom ≥ perDevice is a steady day.
func anomalyDay(day time.Time, perDevice, dropFrom int) []impactShopper {
	var out []impactShopper
	step := 18 * time.Hour / time.Duration(perDevice)
	for i := range perDevice {
		at := day.Add(time.Duration(i) * step)
		for _, phone := range []bool{true, false} {
			completed := i%10 < 7
			if phone && i >= dropFrom {
				completed = i%10 < 1
			}
			out = append(out, impactShopper{at: at, phone: phone, completed: completed})
		}
	}
	return out
}

// apiAnomaly is one anomaly of GET /api/funnel.
type apiAnomaly struct {
	Step, Device, Day, Summary, Evidence, Status string
	SinceLocal                                   string  `json:"since_local"`
	ExpectedRate                                 float64 `json:"expected_rate"`
	ObservedRate                                 float64 `json:"observed_rate"`
	Shoppers, Lost                               int64
	ValueAtRisk                                  string `json:"value_at_risk"`
}

// TestAnomalyScenario seeds four weeks of the same weekday with steady
// traffic (150 shoppers a day on each of phone and desktop, 70% of
// those at payment ordering), then a day on which mobile payment
// completion drops to 10% from 12:00. The scan at 20:00 raises exactly one
// anomaly, for the payment step on mobile (all devices together fall
// 14%, below the 20% materiality; desktop does not move); a second scan
// raises nothing; the anomaly is sent once to each channel (e-mail, the
// chat webhook, and Shopify Flow as "Funnelscope: step anomaly"), with the
// link to that day's report by device, and /api/funnel lists it. A small shop (six
// shoppers a device a day) with the same relative drop raises none.
func TestAnomalyScenario(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newAlertRig(t, st)
		const big, small = "anomaly-big.myshopify.com", "anomaly-small.myshopify.com"
		bigShop, smallShop := h.installLive(big), h.install(small)
		h.putSettings(big, map[string]any{"emails": []string{"ops@example.com"}, "timezone": "UTC",
			"chat_webhook_url": h.chat.srv.URL + "/hook", "flow_enabled": true})
		h.putSettings(small, map[string]any{"emails": []string{"ops@example.com"}, "timezone": "UTC"})
		y, m, d := h.clock.Now().UTC().AddDate(0, 0, -1).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		var bigShoppers, smallShoppers []impactShopper
		for w := 4; w >= 1; w-- {
			past := day.AddDate(0, 0, -7*w)
			bigShoppers = append(bigShoppers, anomalyDay(past, 150, 150)...)
			smallShoppers = append(smallShoppers, anomalyDay(past, 6, 6)...)
		}
		// Another weekday, dropped as badly: not this day's history. One
		// such day is enough to tell: counted in, it would lower the usual
		// rate to 58%, from which 50% is not a material fall.
		bigShoppers = append(bigShoppers, anomalyDay(day.AddDate(0, 0, -5), 150, 0)...)
		bigShoppers = append(bigShoppers, anomalyDay(day, 150, 100)...)
		smallShoppers = append(smallShoppers, anomalyDay(day, 6, 4)...)
		seedShoppersAs(t, st, bigShop, "anb", bigShoppers)
		seedShoppersAs(t, st, smallShop, "ans", smallShoppers)

		scanAt := day.Add(20 * time.Hour)
		n, err := h.app.ScanAnomaliesNow(t.Context(), big, scanAt)
		if err != nil || n != 1 {
			t.Fatalf("first scan: %d anomalies, %v; want 1", n, err)
		}
		if n, err := h.app.ScanAnomaliesNow(t.Context(), big, scanAt.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second scan: %d anomalies, %v; want 0", n, err)
		}
		if n, err := h.app.ScanAnomaliesNow(t.Context(), small, scanAt); err != nil || n != 0 {
			t.Fatalf("small shop: %d anomalies, %v; want 0", n, err)
		}
		h.waitJobsDone()

		list, err := st.Anomalies(t.Context(), bigShop.ID, day.Format(time.DateOnly), day.Format(time.DateOnly), 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("anomalies %+v, %v", list, err)
		}
		a := list[0]
		if a.Step.Key() != "completed" || a.Device != "mobile" || a.Status != store.AlertSent || a.Shoppers != 150 {
			t.Fatalf("anomaly %+v", a)
		}
		// 100 shoppers at 70% and 50 at 10%: 75 of 150 against 70%.
		if a.ObservedRate != 0.5 || a.ExpectedRate < 0.69 || a.ExpectedRate > 0.71 || a.Lost < 29 || a.Lost > 31 {
			t.Fatalf("figures %+v", a)
		}
		msgs := h.smtp.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d e-mails, want 1", len(msgs))
		}
		mail := parseMail(t, msgs[0])
		for _, want := range []string{"Reached payment → Completed order on mobile fell from 70% to 50% since 12:00", "at risk today",
			"from=" + day.Format(time.DateOnly), "segment=device"} {
			if !strings.Contains(mail.text, want) {
				t.Fatalf("the e-mail lacks %q:\n%s", want, mail.text)
			}
		}
		if !strings.Contains(mail.subject, "fell from 70% to 50%") {
			t.Fatalf("subject %q", mail.subject)
		}
		chats, _ := h.chat.received()
		if len(chats) != 1 || !strings.Contains(string(chats[0]), "fell from 70% to 50% since 12:00") {
			t.Fatalf("chat messages %q", chats)
		}
		triggers := h.shopify.FlowTriggers(big)
		if len(triggers) != 1 || triggers[0].Handle != alerts.FlowStepAnomaly {
			t.Fatalf("Flow triggers %+v", triggers)
		}
		// The usual rate is the prior's mean, (1 + 420) / (2 + 600) = 69.9%.
		if p := triggers[0].Payload; p["Step"] != "Reached payment → Completed order" || p["Device"] != "Mobile" ||
			p["Expected rate"] != 69.9 || p["Observed rate"] != 50.0 || p["Since"] != day.Add(12*time.Hour).Format(time.RFC3339) ||
			!strings.Contains(p["Evidence link"].(string), "segment=device") {
			t.Fatalf("Flow payload %v", p)
		}

		q := "/api/funnel?from=" + day.Format(time.DateOnly) + "&to=" + day.Format(time.DateOnly)
		resp, body := h.api(http.MethodGet, q, big, nil)
		var f struct{ Anomalies []apiAnomaly }
		if err := json.Unmarshal(body, &f); resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET /api/funnel: %d %s", resp.StatusCode, body)
		}
		if len(f.Anomalies) != 1 {
			t.Fatalf("anomalies %+v", f.Anomalies)
		}
		if got := f.Anomalies[0]; got.Step != "completed" || got.Device != "mobile" || got.SinceLocal != "12:00" ||
			got.Shoppers != 150 || got.Status != "sent" || !strings.HasPrefix(got.Evidence, "/?from=") || got.ValueAtRisk == "0.00" {
			t.Fatalf("anomaly %+v", got)
		}
		resp, body = h.api(http.MethodGet, q, small, nil)
		if err := json.Unmarshal(body, &f); resp.StatusCode != http.StatusOK || err != nil || len(f.Anomalies) != 0 {
			t.Fatalf("small shop's /api/funnel: %d %s", resp.StatusCode, body)
		}

		// Turned off, the scan raises nothing, even on a new day.
		h.putSettings(big, map[string]any{"anomalies_enabled": false})
		if n, err := h.app.ScanAnomaliesNow(t.Context(), big, scanAt.Add(24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("scan with anomalies off: %d, %v", n, err)
		}
	})
}
