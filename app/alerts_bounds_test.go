package app_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/app/alerts/alertstest"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// hugeCart is a carts/create delivery with n one-unit lines at 1.00, last
// active at at.
func hugeCart(t *testing.T, token string, n int, at time.Time) delivery {
	t.Helper()
	items := make([]any, n)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "title": fmt.Sprintf("Item %05d", i+1), "quantity": 1, "price": "1.00", "line_price": "1.00",
			"line_price_set": map[string]any{"shop_money": map[string]any{"amount": "1.00", "currency_code": "USD"}}}
	}
	stamp := at.UTC().Format(time.RFC3339)
	p := loadPayload(t, "carts_create.json").with(t, map[string]any{"id": token, "token": token,
		"created_at": stamp, "updated_at": stamp, "line_items": items})
	return delivery{topic: "carts/create", id: token + "-create", body: p.bytes(t)}
}

// TestAlertTextsBounded sends immediate alerts and a digest for a cart whose
// line item has a 300 KB title and a cart of 10,000 items: every subject is
// at most 150 characters, cut with "…"; the texts list 5 items and say how
// many more there are; every chat message keeps within Slack's limits.
func TestAlertTextsBounded(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		bigTitle := strings.Repeat("Très grand titre ", 300_000/17) // non-ASCII, so a cut could split a rune
		const now, digestShop = "bounded.myshopify.com", "bounded-digest.myshopify.com"
		base := time.Date(2026, 11, 24, 10, 10, 0, 0, time.UTC)
		r.clock.Set(base)
		r.install(now)
		r.install(digestShop)
		r.putSettings(now, map[string]any{"alerts_enabled": true, "emails": []string{"now@example.com"},
			"chat_webhook_url": r.chat.srv.URL + "/now", "immediate_min_value": "0.00", "min_value": "1.00"})
		r.putSettings(digestShop, map[string]any{"alerts_enabled": true, "emails": []string{"digest@example.com"},
			"chat_webhook_url": r.chat.srv.URL + "/digest", "immediate_min_value": "1000000.00", "min_value": "1.00",
			"digest": "hourly", "timezone": "UTC"})
		idle := base.Add(-70 * time.Minute)
		for _, shop := range []string{now, digestShop} {
			r.deliverAll(shop, []delivery{cartWith(t, "cart-title", bigTitle, idle, 2000), hugeCart(t, "cart-huge", 10_000, idle)})
		}
		// A digest with more carts than Slack's budget holds in full. Their
		// titles are long, not huge: every title is cut to 100 characters
		// before a text is built, so the digest is the same as with the
		// 300 KB one (which cart-title still brings), at a fraction of
		// the parsing.
		longTitle := strings.Repeat("Très grand titre ", 60) // 1,080 bytes
		for i := range 12 {
			r.deliverAll(digestShop, []delivery{cartWith(t, fmt.Sprintf("cart-more-%02d", i), longTitle, idle, int64(3000+i))})
		}

		check := func(kind string, m parsedMail, raw int) {
			t.Helper()
			if got := utf8.RuneCountInString(m.subject); got > 150 || !utf8.ValidString(m.subject) {
				t.Errorf("%s: subject of %d characters (valid UTF-8: %v): %.200q", kind, got, utf8.ValidString(m.subject), m.subject)
			}
			if raw > 64<<10 {
				t.Errorf("%s: an e-mail of %d bytes", kind, raw)
			}
			if !utf8.ValidString(m.text) || !utf8.ValidString(m.html) {
				t.Errorf("%s: a text was cut inside a character", kind)
			}
		}
		if err := r.app.ScanAlertsNow(t.Context(), now); err != nil {
			t.Fatal(err)
		}
		r.waitAlerts(now, 2)
		mails := r.smtp.messages()
		bodies, _ := r.chat.received()
		if len(mails) != 2 || len(bodies) != 2 {
			t.Fatalf("immediate alerts: %d e-mails and %d chat messages, want 2 and 2", len(mails), len(bodies))
		}
		for _, m := range mails {
			pm := parseMail(t, m)
			check("alert", pm, len(m.data))
			switch {
			case strings.Contains(pm.text, "/sessions/cart-title"):
				if !strings.HasSuffix(pm.subject, "…") || !strings.Contains(pm.subject, "Très grand titre") {
					t.Errorf("the big title's subject is not cut with …: %q", pm.subject)
				}
			case strings.Contains(pm.text, "/sessions/cart-huge"):
				for _, part := range []string{pm.text, pm.html} {
					if !strings.Contains(part, "1 × Item 00005") || strings.Contains(part, "Item 00006") || !strings.Contains(part, "and 9995 more") {
						t.Errorf("the 10,000-item cart does not list 5 items and the count of the rest:\n%.2000s", part)
					}
				}
			default:
				t.Errorf("an e-mail for neither cart:\n%.500s", pm.text)
			}
		}
		for _, b := range bodies {
			alertstest.CheckSlackLimits(t, b)
			if strings.Contains(string(b), "cart-huge") && !strings.Contains(string(b), "and 9995 more") {
				t.Errorf("the 10,000-item cart's chat message lacks the count of the rest: %.2000s", b)
			}
		}

		// The digest of 10:00–11:00 goes out after 11:00.
		if err := r.app.ScanAlertsNow(t.Context(), digestShop); err != nil {
			t.Fatal(err)
		}
		r.clock.Set(base.Add(55 * time.Minute))
		if err := r.app.ScanAlertsNow(t.Context(), digestShop); err != nil {
			t.Fatal(err)
		}
		var digest []mailMsg
		testkit.Eventually(t, "the digest", func() bool {
			digest = slices.DeleteFunc(r.smtp.messages(), func(m mailMsg) bool { return !slices.Contains(m.to, "digest@example.com") })
			bodies, _ = r.chat.received()
			return len(digest) == 1 && len(bodies) == 3
		})
		pm := parseMail(t, digest[0])
		check("digest", pm, len(digest[0].data))
		if !strings.HasPrefix(pm.subject, "14 abandoned carts on "+digestShop) {
			t.Errorf("digest subject %q", pm.subject)
		}
		for _, part := range []string{pm.text, pm.html} {
			if !strings.Contains(part, "and 9995 more") {
				t.Errorf("the digest does not count the items left out:\n%.3000s", part)
			}
		}
		chat := bodies[2]
		alertstest.CheckSlackLimits(t, chat)
		for _, part := range []string{pm.text, pm.html, string(chat)} {
			if !strings.Contains(part, "and 4 more carts in Funnelscope.") {
				t.Errorf("the digest does not count the carts it does not list:\n%.3000s", part)
			}
		}
		if !strings.Contains(string(chat), "and 9995 more") {
			t.Errorf("the digest's chat message does not count what it leaves out: %.3000s", chat)
		}
	})
}
