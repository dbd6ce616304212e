package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// smallShopDays seeds a small shop's days from first to last (00:00 UTC):
// 11 shoppers on the phone and 22 on desktop a day, spread over 18
// hours, who all reach payment; 70% of them order, except on the phone
// from dropFrom on, where 4 of the 11 do each day (36%; a zero dropFrom
// never drops).
func smallShopDays(first, last, dropFrom time.Time) []impactShopper {
	var out []impactShopper
	var phones, desktops int
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		dropped := !dropFrom.IsZero() && !day.Before(dropFrom)
		for i := range 22 {
			at := day.Add(time.Duration(i) * 18 * time.Hour / 22)
			out = append(out, impactShopper{at: at, completed: desktops%10 < 7})
			desktops++
			if i%2 == 1 {
				continue
			}
			completed := phones%10 < 7
			if dropped {
				completed = i/2%3 == 0
			}
			out = append(out, impactShopper{at: at, phone: true, completed: completed})
			phones++
		}
	}
	return out
}

// TestAnomalyScenarioSmallShop: a small shop (11 phone shoppers a day at
// payment: 44 over the four weeks of one day's history, short of 30 a
// window) has its mobile payment completion halved from day D on and
// scanned at 20:00 of D and the four days after. Its window widens to 3
// days (132 shoppers in the history), so the drop is raised once, on
// D+2 when the whole window is dropped, since D's midnight, and not on
// D+3 or D+4 while D+2 is in their window; the e-mail says so in days. A
// shop with the same traffic and steady rates raises nothing.
func TestAnomalyScenarioSmallShop(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newAlertRig(t, st)
		const dropped, steady = "anomaly-thin.myshopify.com", "anomaly-thin-steady.myshopify.com"
		droppedShop, steadyShop := h.install(dropped), h.install(steady)
		for _, d := range []string{dropped, steady} {
			h.putSettings(d, map[string]any{"emails": []string{"ops@example.com"}, "timezone": "UTC"})
		}
		y, m, d := h.clock.Now().UTC().AddDate(0, 0, -5).Date()
		drop := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		first, last := drop.AddDate(0, 0, -35), drop.AddDate(0, 0, 4)
		seedShoppersAs(t, st, droppedShop, "thd", smallShopDays(first, last, drop))
		seedShoppersAs(t, st, steadyShop, "ths", smallShopDays(first, last, time.Time{}))

		var raisedOn []int
		for i := range 5 {
			at := drop.AddDate(0, 0, i).Add(20 * time.Hour)
			n, err := h.app.ScanAnomaliesNow(t.Context(), dropped, at)
			if err != nil {
				t.Fatalf("scan of day D+%d: %v", i, err)
			}
			for range n {
				raisedOn = append(raisedOn, i)
			}
			if n, err := h.app.ScanAnomaliesNow(t.Context(), steady, at); err != nil || n != 0 {
				t.Fatalf("steady shop's scan of day D+%d: %d anomalies, %v", i, n, err)
			}
		}
		if len(raisedOn) != 1 || raisedOn[0] != 2 {
			t.Fatalf("anomalies raised on days D+%v, want one on D+2", raisedOn)
		}
		h.waitJobsDone()

		list, err := st.Anomalies(t.Context(), droppedShop.ID, first.Format(time.DateOnly), last.Format(time.DateOnly), 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("anomalies %+v, %v", list, err)
		}
		a := list[0]
		if a.Step.Key() != "completed" || a.Device != "mobile" || a.WindowDays != 3 || a.Day != drop.AddDate(0, 0, 2).Format(time.DateOnly) ||
			!a.Since.Equal(drop) || a.Shoppers != 33 || a.Status != store.AlertSent {
			t.Fatalf("anomaly %+v", a)
		}
		if a.ObservedRate > 0.4 || a.ExpectedRate < 0.65 || a.ExpectedRate > 0.75 || a.Lost < 9 {
			t.Fatalf("figures %+v", a)
		}
		if list, err := st.Anomalies(t.Context(), steadyShop.ID, first.Format(time.DateOnly), last.Format(time.DateOnly), 0); err != nil || len(list) != 0 {
			t.Fatalf("steady shop's anomalies %+v, %v", list, err)
		}
		msgs := h.smtp.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d e-mails, want 1", len(msgs))
		}
		mail := parseMail(t, msgs[0])
		// 12 of 33 against the prior's (1 + 92) / (2 + 132) = 69%.
		for _, want := range []string{"Reached payment → Completed order on mobile fell from 69% to 36% since " + drop.Format("Monday 2 Jan") + " — about",
			"at risk over the last 3 days",
			"The last 3 days: ", "from=" + drop.Format(time.DateOnly), "to=" + a.Day} {
			if !strings.Contains(mail.text, want) {
				t.Fatalf("the e-mail lacks %q:\n%s", want, mail.text)
			}
		}
	})
}
