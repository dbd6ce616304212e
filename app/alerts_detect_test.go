package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestAlertTwoInstancesExactlyOnce runs two app instances (two River
// clients) on one PostgreSQL schema, both scanning at once, directly and
// through the queue: every qualifying session is alerted exactly once.
func TestAlertTwoInstancesExactlyOnce(t *testing.T) {
	t.Parallel()
	u := storetest.URL(t, store.DialectPostgres)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), u, store.Options{EncryptionKey: storetest.Key()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	ss, chat := newSMTPServer(t), newChatReceiver(t)
	r1 := newAlertRigOn(t, open(), ss, chat)
	r2 := newAlertRigOn(t, open(), ss, chat)
	const shop = "twice.myshopify.com"
	r1.install(shop)
	r1.putSettings(shop, map[string]any{"alerts_enabled": true, "emails": []string{"owner@example.com"},
		"chat_webhook_url": chat.srv.URL + "/hook"})
	now := r1.clock.Now()
	var want []string
	stages := []funnel.Stage{funnel.StageAddedToCart, funnel.StageCheckoutStarted, funnel.StagePaymentReached}
	for n := 1; n <= 15; n++ {
		r1.deliverAll(shop, journey(t, n, stages[n%3], now.Add(-3*time.Hour), int64(1000+n)))
		want = append(want, journeyKey(n))
	}
	// One completed journey must not be alerted.
	r1.deliverAll(shop, journey(t, 99, funnel.StageCompleted, now.Add(-3*time.Hour), 5000))

	var wg sync.WaitGroup
	for range 3 {
		for _, r := range []*alertRig{r1, r2} {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if err := r.app.ScanAlertsNow(context.Background(), shop); err != nil {
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				if err := r.app.EnqueueAlertScan(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	r2.waitAlerts(shop, len(want))
	// Both instances share the queue: once it is empty, any duplicate job
	// has run and shows below.
	r2.waitJobsDone()
	list := r2.alerts(shop)

	var keys []string
	for _, a := range list {
		if a.Status != store.AlertSent || a.Attempts != 1 {
			t.Errorf("alert %+v", a)
		}
		keys = append(keys, a.SessionKey)
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("alerted sessions %v, want %v", keys, want)
	}
	mailed := map[string]int{}
	for _, m := range ss.messages() {
		pm := parseMail(t, m)
		for _, k := range want {
			if strings.Contains(pm.text, "/sessions/"+k) {
				mailed[k]++
			}
		}
	}
	bodies, hits := chat.received()
	if len(ss.messages()) != len(want) || len(mailed) != len(want) || len(bodies) != len(want) || hits != len(want) {
		t.Errorf("%d e-mails for %d sessions, %d chat messages in %d requests; want %d of each",
			len(ss.messages()), len(mailed), len(bodies), hits, len(want))
	}
	for k, n := range mailed {
		if n != 1 {
			t.Errorf("%s mailed %d times", k, n)
		}
	}
}

func journeyKey(n int) string { return fmt.Sprintf("cart-%03d", n) }

// TestAlertThreshold flags a session only once it has been idle for the
// shop's threshold, at the injected clock.
func TestAlertThreshold(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop = "edge.myshopify.com"
		sh := r.install(shop)
		r.putSettings(shop, map[string]any{"alerts_enabled": true, "abandon_after_minutes": 30,
			"chat_webhook_url": r.chat.srv.URL + "/hook"})
		t0 := r.clock.Now().Truncate(time.Minute).Add(-10 * time.Minute)
		r.deliverAll(shop, []delivery{cartWith(t, "cart-edge", "Mug", t0, 2000)})

		r.clock.Set(t0.Add(30*time.Minute - time.Second))
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		if s, err := st.SessionByKey(t.Context(), sh.ID, "cart-edge"); err != nil || s.AbandonedAt != nil {
			t.Fatalf("flagged 1s before the threshold: %v %v", s.AbandonedAt, err)
		}
		if got := r.alerts(shop); len(got) != 0 {
			t.Fatalf("alerts before the threshold: %+v", got)
		}

		at := t0.Add(30*time.Minute + time.Second)
		r.clock.Set(at)
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		s, err := st.SessionByKey(t.Context(), sh.ID, "cart-edge")
		if err != nil || s.AbandonedAt == nil || !s.AbandonedAt.Equal(at) {
			t.Fatalf("not flagged at the threshold: %v %v", s.AbandonedAt, err)
		}
		a := r.waitAlerts(shop, 1)[0]
		if a.SessionKey != "cart-edge" || a.Kind != "abandoned_cart" || a.Status != store.AlertSent || a.Value != "20.00" ||
			a.Currency != "USD" || !a.CreatedAt.Equal(at) || a.KindLabel != "Abandoned cart" || a.ValueDisplay != "$20.00" {
			t.Errorf("alert %+v", a)
		}
	})
}

// TestAlertDigests gathers carts below the immediate value into hourly
// (Asia/Kolkata, +05:30) and daily (America/New_York) digests by the window
// in which they were flagged.
func TestAlertDigests(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const hourly, daily = "hourly.myshopify.com", "daily.myshopify.com"
		r.install(hourly)
		r.install(daily)
		common := map[string]any{"alerts_enabled": true, "abandon_after_minutes": 60, "min_value": "5.00",
			"immediate_min_value": "1000.00"}
		ist, _ := time.LoadLocation("Asia/Kolkata")
		ny, _ := time.LoadLocation("America/New_York")
		base := time.Date(2026, 11, 24, 10, 10, 0, 0, ist)
		r.clock.Set(base)
		r.putSettings(hourly, merge(common, map[string]any{"digest": "hourly", "timezone": "Asia/Kolkata", "emails": []string{"hourly@example.com"}}))
		r.putSettings(daily, merge(common, map[string]any{"digest": "daily", "timezone": "America/New_York", "emails": []string{"daily@example.com"}}))

		at := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, ist) }
		r.deliverAll(hourly, []delivery{
			cartWith(t, "cart-a", "A", at(9, 0), 2000),
			cartWith(t, "cart-b", "B", at(9, 0), 3000),
			cartWith(t, "cart-c", "C", at(9, 45), 4000),
			cartWith(t, "cart-d", "D", at(10, 0), 5000),
			cartWith(t, "cart-e", "E", at(9, 0), 100),    // below min_value: no alert
			cartWith(t, "cart-f", "F", at(9, 0), 150000), // immediate
		})
		scan := func(shop string, t0 time.Time) {
			t.Helper()
			r.clock.Set(t0)
			if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
				t.Fatal(err)
			}
		}
		scan(hourly, at(10, 10)) // flags a, b, e, f
		scan(hourly, at(10, 50)) // flags c
		scan(hourly, at(11, 5))  // flags d; digest 10:00–11:00 gets a, b, c
		mailsTo := func(addr string, n int) []parsedMail {
			t.Helper()
			var out []parsedMail
			testkit.Eventually(t, "mail", func() bool {
				out = nil
				for _, m := range r.smtp.messages() {
					if slices.Contains(m.to, addr) {
						out = append(out, parseMail(t, m))
					}
				}
				return len(out) >= n
			})
			return out
		}
		got := mailsTo("hourly@example.com", 2)
		var digest1 parsedMail
		for _, m := range got {
			if strings.Contains(m.subject, "abandoned carts") {
				digest1 = m
			}
		}
		if !strings.Contains(digest1.subject, "3 abandoned carts on "+hourly+" — Tue 24 Nov 2026, 10:00–11:00 (Asia/Kolkata)") {
			t.Fatalf("first hourly digest subject %q (mails: %d)", digest1.subject, len(got))
		}
		wantIn(t, digest1.text, []string{"/sessions/cart-a", "/sessions/cart-b", "/sessions/cart-c", "Abandoned cart: 3, $90.00 at risk"},
			[]string{"cart-d", "cart-e", "cart-f"})
		if strings.Index(digest1.text, "/sessions/cart-c") > strings.Index(digest1.text, "/sessions/cart-a") {
			t.Errorf("largest carts not listed first:\n%s", digest1.text)
		}

		scan(hourly, at(12, 1)) // digest 11:00–12:00 gets d
		got = mailsTo("hourly@example.com", 3)
		var digest2 parsedMail
		for _, m := range got {
			if strings.Contains(m.subject, "11:00–12:00") {
				digest2 = m
			}
		}
		if !strings.HasPrefix(digest2.subject, "1 abandoned cart on ") {
			t.Fatalf("second hourly digest: %q", digest2.subject)
		}
		wantIn(t, digest2.text, []string{"/sessions/cart-d", "$50.00"}, []string{"cart-a", "cart-b", "cart-c"})

		list := r.waitAlerts(hourly, 5)
		modes := map[string]string{}
		for _, a := range list {
			modes[a.SessionKey] = a.Mode + "/" + a.Status
		}
		wantModes := map[string]string{"cart-a": "digest/sent", "cart-b": "digest/sent", "cart-c": "digest/sent",
			"cart-d": "digest/sent", "cart-f": "immediate/sent"}
		for k, v := range wantModes {
			if modes[k] != v {
				t.Errorf("%s: %q, want %q (all: %v)", k, modes[k], v, modes)
			}
		}

		// Daily, New York: flagged at 23:30 on the 24th (already the 25th in
		// UTC) belongs to the 24th; flagged after midnight, to the 25th.
		nyAt := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ny) }
		r.deliverAll(daily, []delivery{
			cartWith(t, "cart-x", "X", nyAt(24, 22, 0), 2500),
			cartWith(t, "cart-y", "Y", nyAt(24, 23, 15), 3500),
		})
		scan(daily, nyAt(24, 23, 30)) // flags x
		scan(daily, nyAt(25, 0, 20))  // flags y; digest of the 24th gets x
		d := mailsTo("daily@example.com", 1)
		if len(d) != 1 || !strings.Contains(d[0].subject, "1 abandoned cart on "+daily+" — Tuesday 24 November 2026 (America/New_York)") {
			t.Fatalf("daily digest: %d mails, first %q", len(d), d[0].subject)
		}
		wantIn(t, d[0].text, []string{"/sessions/cart-x", "$25.00"}, []string{"cart-y"})
		scan(daily, nyAt(25, 23, 59)) // the 25th is not over: no digest yet
		r.waitJobsDone()
		if n := len(mailsTo("daily@example.com", 1)); n != 1 {
			t.Errorf("%d daily digests before the day ended, want 1", n)
		}
		scan(daily, nyAt(26, 0, 1))
		d = mailsTo("daily@example.com", 2)
		wantIn(t, d[1].text, []string{"/sessions/cart-y"}, []string{"cart-x"})
	})
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func wantIn(t *testing.T, text string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	for _, n := range not {
		if strings.Contains(text, n) {
			t.Errorf("has %q:\n%s", n, text)
		}
	}
}

// TestAlertUninstalledAndRedacted: an uninstalled shop is not scanned;
// customers/redact and shop/redact erase alerts.
func TestAlertUninstalledAndRedacted(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop, gone = "keeps.myshopify.com", "gone.myshopify.com"
		sh := r.install(shop)
		g := r.install(gone)
		now := r.clock.Now()
		for _, s := range []string{shop, gone} {
			r.putSettings(s, map[string]any{"alerts_enabled": true, "chat_webhook_url": r.chat.srv.URL + "/" + s})
			// Still active: no scan flags them before the uninstall.
			r.deliverAll(s, journey(t, 1, funnel.StageContactSubmitted, now.Add(-20*time.Minute), 2000))
			r.deliverAll(s, journey(t, 2, funnel.StageAddedToCart, now.Add(-20*time.Minute), 3000))
		}
		if err := st.UninstallShop(t.Context(), gone, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.clock.Add(3 * time.Hour)
		if err := r.app.EnqueueAlertScan(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := r.app.ScanAlertsNow(t.Context(), gone); err != nil {
			t.Fatal(err)
		}
		r.waitAlerts(shop, 2)
		if list, err := st.ListAlerts(t.Context(), g.ID, 0); err != nil || len(list) != 0 {
			t.Errorf("uninstalled shop got alerts: %+v %v", list, err)
		}
		if s, err := st.SessionByKey(t.Context(), g.ID, "cart-001"); err != nil || s.AbandonedAt != nil {
			t.Errorf("uninstalled shop's session flagged: %v %v", s.AbandonedAt, err)
		}

		if _, err := st.RedactCustomer(t.Context(), sh.ID, funnel.Customer{Email: "SHOPPER1@example.com"}, store.ErasureRequest{}); err != nil {
			t.Fatal(err)
		}
		list := r.alerts(shop)
		if len(list) != 1 || list[0].SessionKey != "cart-002" {
			t.Fatalf("after customers/redact: %+v", list)
		}
		if err := st.RedactShop(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		if left, err := st.ListAlerts(t.Context(), sh.ID, 0); err != nil || len(left) != 0 {
			t.Errorf("after shop/redact: %+v %v", left, err)
		}
	})
}

// TestAlertDigestTurnedOff: carts waiting for a digest are skipped, with the
// reason, once the merchant turns digests off — they do not wait forever.
func TestAlertDigestTurnedOff(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop = "nodigest.myshopify.com"
		r.install(shop)
		set := map[string]any{"alerts_enabled": true, "min_value": "1.00", "immediate_min_value": "1000.00",
			"digest": "daily", "emails": []string{"owner@example.com"}}
		r.putSettings(shop, set)
		r.deliverAll(shop, []delivery{cartWith(t, "cart-wait", "Lamp", r.clock.Now().Add(-2*time.Hour), 3000)})
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		if list := r.alerts(shop); len(list) != 1 || list[0].Status != store.AlertQueued || list[0].Mode != "digest" {
			t.Fatalf("before: %+v, want one queued digest alert", list)
		}
		set["digest"] = "off"
		r.putSettings(shop, set)
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		list := r.alerts(shop)
		if len(list) != 1 || list[0].Status != store.AlertSkipped || !strings.Contains(list[0].LastError, "Digests were turned off") {
			t.Fatalf("after turning digests off: %+v", list)
		}
		if n := r.smtp.attemptCount(); n != 0 {
			t.Fatalf("%d e-mails for a skipped digest alert", n)
		}
	})
}
