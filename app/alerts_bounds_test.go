package app_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// checkSlackLimits fails the test for any part of a chat message beyond
// Slack's Block Kit limits: header text 150 characters, section text 3000,
// at most 10 section fields of 2000, 50 blocks, button text 75 and URL
// 3000; the top-level text within 3000 too; and at most 12,000 characters
// of block text in all (beyond it Slack answers msg_blocks_too_long).
func checkSlackLimits(t *testing.T, body []byte) {
	t.Helper()
	type text struct{ Type, Text string }
	var msg struct {
		Text   string
		Blocks []struct {
			Type     string
			Text     *text
			Fields   []text
			Elements []struct {
				Type string
				URL  string
				Text json.RawMessage // a button's is an object, a context element's a string
			}
		}
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatalf("chat message: %v", err)
	}
	n := utf8.RuneCountInString
	over := func(what string, got, limit int) {
		t.Helper()
		if got > limit {
			t.Errorf("chat message: %s is %d, over Slack's %d", what, got, limit)
		}
	}
	over("top-level text", n(msg.Text), 3000)
	over("blocks", len(msg.Blocks), 50)
	total := 0
	for i, b := range msg.Blocks {
		if b.Text != nil {
			total += n(b.Text.Text)
		}
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" {
				t.Errorf("block %d: a header without plain text", i)
				continue
			}
			over("a header's text", n(b.Text.Text), 150)
		case "section":
			if b.Text != nil {
				over("a section's text", n(b.Text.Text), 3000)
			}
			over("a section's fields", len(b.Fields), 10)
			for _, f := range b.Fields {
				over("a field's text", n(f.Text), 2000)
				total += n(f.Text)
			}
		case "context":
			over("a context's elements", len(b.Elements), 10)
			for _, e := range b.Elements {
				var s string
				if err := json.Unmarshal(e.Text, &s); err != nil {
					t.Fatalf("context element %s: %v", e.Text, err)
				}
				over("a context element's text", n(s), 3000)
				total += n(s)
			}
		case "actions":
			over("an actions block's elements", len(b.Elements), 25)
			for _, e := range b.Elements {
				var label text
				if err := json.Unmarshal(e.Text, &label); err != nil || e.Type != "button" {
					t.Fatalf("action %s %s: %v", e.Type, e.Text, err)
				}
				over("a button's text", n(label.Text), 75)
				over("a button's URL", n(e.URL), 3000)
			}
		default:
			t.Errorf("block %d: unexpected type %q", i, b.Type)
		}
	}
	over("the blocks' text in all", total, 12000)
}

// TestAlertTextsBounded sends immediate alerts and a digest for a cart whose
// line item has a 300 KB title and a cart of 10,000 items: every subject is
// at most 150 characters, cut with "…"; the texts list 5 items and say how
// many more there are; every chat message keeps within Slack's limits.
func TestAlertTextsBounded(t *testing.T) {
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
		// A digest with more carts than Slack's budget holds in full.
		for i := range 12 {
			r.deliverAll(digestShop, []delivery{cartWith(t, fmt.Sprintf("cart-more-%02d", i), bigTitle, idle, int64(3000+i))})
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
			case strings.Contains(pm.text, "session=cart-title"):
				if !strings.HasSuffix(pm.subject, "…") || !strings.Contains(pm.subject, "Très grand titre") {
					t.Errorf("the big title's subject is not cut with …: %q", pm.subject)
				}
			case strings.Contains(pm.text, "session=cart-huge"):
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
			checkSlackLimits(t, b)
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
		eventually(t, "the digest", func() bool {
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
		checkSlackLimits(t, chat)
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
