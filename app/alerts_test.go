package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestAlertContentAndOnce sends immediate alerts for two idle sessions to
// two addresses and a chat webhook, checks what arrives (recipients,
// encoding, escaping, every piece of content) and that scanning again sends
// nothing more.
func TestAlertContentAndOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop = "content-shop.myshopify.com"
		r.install(shop)
		now := r.clock.Now()
		r.putSettings(shop, map[string]any{
			"alerts_enabled": true, "emails": []string{"ana@example.com", "bo@example.org"},
			"chat_webhook_url": r.chat.srv.URL + "/hook", "immediate_min_value": "0.00", "min_value": "1.00",
		})
		title := `Crème brûlée <script>alert(1)</script> & “set”`
		r.deliverAll(shop, []delivery{cartWith(t, "cart-utf8", title, now.Add(-2*time.Hour), 12500)})
		r.deliverAll(shop, journey(t, 2, funnel.StagePaymentReached, now.Add(-3*time.Hour), 4200))
		// Too small for an alert, but still flagged.
		r.deliverAll(shop, []delivery{cartWith(t, "cart-tiny", "Sticker", now.Add(-2*time.Hour), 50)})

		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		list := r.waitAlerts(shop, 2)
		for _, a := range list {
			if a.Status != store.AlertSent || a.Attempts != 1 || a.SentAt == nil || a.LastError != "" {
				t.Errorf("alert %+v, want sent on the first attempt", a)
			}
		}
		sh, err := st.ShopByDomain(t.Context(), shop)
		if err != nil {
			t.Fatal(err)
		}
		if tiny, err := st.SessionByKey(t.Context(), sh.ID, "cart-tiny"); err != nil || tiny.AbandonedAt == nil {
			t.Errorf("small cart not flagged: %+v %v", tiny.AbandonedAt, err)
		}

		// The scan runs again, on this instance and through the job queue.
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		if err := r.app.EnqueueAlertScan(t.Context()); err != nil {
			t.Fatal(err)
		}
		r.waitJobsDone()

		msgs := r.smtp.messages()
		if len(msgs) != 4 {
			t.Fatalf("got %d e-mails, want 4 (2 alerts × 2 addresses)", len(msgs))
		}
		byKey := map[string][]parsedMail{}
		for _, m := range msgs {
			if m.from != alertFrom {
				t.Errorf("envelope sender %q", m.from)
			}
			pm := parseMail(t, m)
			if len(pm.to) != 1 {
				t.Errorf("recipients %v, want one per message", pm.to)
			}
			for _, key := range []string{"cart-utf8", "cart-002"} {
				if strings.Contains(pm.text, "/sessions/"+key) {
					byKey[key] = append(byKey[key], pm)
				}
			}
		}
		for key, ms := range byKey {
			var to []string
			for _, m := range ms {
				to = append(to, m.to...)
			}
			slices.Sort(to)
			if !slices.Equal(to, []string{"ana@example.com", "bo@example.org"}) {
				t.Errorf("%s went to %v", key, to)
			}
		}
		link := "https://admin.shopify.com/store/content-shop/apps/" + testAPIKey + "/sessions/"
		if ms := byKey["cart-utf8"]; len(ms) != 2 {
			t.Fatalf("cart-utf8 e-mails: %d", len(ms))
		} else {
			m := ms[0]
			if !strings.Contains(m.rawSubject, "=?UTF-8?") || !strings.Contains(m.subject, "Abandoned cart — $125.00 on "+shop) ||
				!strings.Contains(m.subject, "Crème brûlée") {
				t.Errorf("subject raw %q decoded %q", m.rawSubject, m.subject)
			}
			for _, want := range []string{"$125.00", "1 × " + title, "Stage reached: Added to cart", "2 hours ago", link + "cart-utf8"} {
				if !strings.Contains(m.text, want) {
					t.Errorf("plain text lacks %q:\n%s", want, m.text)
				}
			}
			if strings.Contains(m.html, "<script>") || !strings.Contains(m.html, "Crème brûlée &lt;script&gt;alert(1)&lt;/script&gt; &amp; “set”") {
				t.Errorf("HTML part does not escape the item title:\n%s", m.html)
			}
			if strings.Contains(m.text, "Contact:") || strings.Contains(m.text, "recovery") {
				t.Errorf("a cart without checkout shows contact or recovery link:\n%s", m.text)
			}
		}
		if ms := byKey["cart-002"]; len(ms) != 2 {
			t.Fatalf("cart-002 e-mails: %d", len(ms))
		} else {
			m := ms[0]
			for _, want := range []string{"Payment drop-off", "42.00", "Stage reached: Reached payment", "Contact: shopper2@example.com",
				"Checkout recovery link: https://", link + "cart-002", "2 hours 40 minutes ago"} {
				if !strings.Contains(m.text, want) {
					t.Errorf("payment drop-off text lacks %q:\n%s", want, m.text)
				}
			}
			if !strings.Contains(m.html, `href="`+link+"cart-002") {
				t.Errorf("HTML lacks the session link:\n%s", m.html)
			}
		}

		bodies, hits := r.chat.received()
		if len(bodies) != 2 || hits != 2 {
			t.Fatalf("chat got %d messages in %d requests, want 2 in 2", len(bodies), hits)
		}
		var sawUTF8 bool
		for _, b := range bodies {
			var msg struct {
				Text   string
				Blocks []map[string]any
			}
			if err := json.Unmarshal(b, &msg); err != nil || msg.Text == "" || len(msg.Blocks) < 3 {
				t.Fatalf("chat message %s: %v", b, err)
			}
			if strings.Contains(string(b), "cart-utf8") {
				sawUTF8 = true
				var items string
				for _, bl := range msg.Blocks {
					if txt, ok := bl["text"].(map[string]any); ok && strings.HasPrefix(txt["text"].(string), "*Items*") {
						items = txt["text"].(string)
					}
				}
				if !strings.Contains(msg.Text, "$125.00") || !strings.Contains(items, `Crème brûlée &lt;script&gt;alert(1)&lt;/script&gt; &amp;`) {
					t.Errorf("chat message content/escaping: %s", b)
				}
				if msg.Blocks[0]["type"] != "header" {
					t.Errorf("first block %v, want a header", msg.Blocks[0])
				}
			}
		}
		if !sawUTF8 {
			t.Error("no chat message links cart-utf8")
		}
	})
}

// TestAlertRetriesThenFails makes each channel fail in turn: the alert is
// retried up to its attempts, then marked failed with the reason.
func TestAlertRetriesThenFails(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		email     bool
		setup     func(r *alertRig)
		wantError string
		// wantSMTP and wantChat are the attempts each server must see.
		wantSMTP, wantChat int
	}{
		{"smtp 4xx", true, func(r *alertRig) {
			r.smtp.setRefuse(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
		}, "The mail server asked to try the e-mail to owner@example.com again later (SMTP 451 4.3.0).", 3, 0},
		{"smtp 5xx", true, func(r *alertRig) {
			r.smtp.setRefuse(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"})
		}, "The mail server refused the recipient owner@example.com (SMTP 550 5.1.1); check the address in Settings.", 3, 0},
		{"chat 500", false, func(r *alertRig) {
			r.chat.setAnswer(func(int) int { return http.StatusInternalServerError })
		}, "The chat webhook answered 500 Internal Server Error.", 0, 3},
		{"chat timeout", false, func(r *alertRig) {
			r.tuneSendTimeout(400 * time.Millisecond)
			r.chat.setAnswer(func(int) int { return -1 })
		}, "The chat webhook gave no answer within 0.4 s.", 0, 3},
	}
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		for i, tc := range cases {
			shop := []string{"retry-a", "retry-b", "retry-c", "retry-d"}[i] + ".myshopify.com"
			r.install(shop)
			set := map[string]any{"alerts_enabled": true, "emails": []string{}, "chat_webhook_url": ""}
			if tc.email {
				set["emails"] = []string{"owner@example.com"}
			} else {
				set["chat_webhook_url"] = r.chat.srv.URL + "/" + shop
			}
			r.putSettings(shop, set)
			r.smtp.setRefuse(nil)
			r.chat.setAnswer(func(int) int { return http.StatusOK })
			r.tuneSendTimeout(rigSendTimeout)
			smtpBefore := r.smtp.attemptCount()
			_, chatBefore := r.chat.received()
			tc.setup(r)
			r.deliverAll(shop, []delivery{cartWith(t, "cart-"+shop, "Mug", r.clock.Now().Add(-3*time.Hour), 2000)})
			if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
				t.Fatal(err)
			}
			list := r.waitAlerts(shop, 1)
			a := list[0]
			if a.Status != store.AlertFailed || a.Attempts != 3 || a.LastError != tc.wantError || a.SentAt != nil {
				t.Errorf("%s: alert %+v, want failed after 3 attempts with %q", tc.name, a, tc.wantError)
			}
			_, chatAfter := r.chat.received()
			if got := r.smtp.attemptCount() - smtpBefore; got != tc.wantSMTP {
				t.Errorf("%s: SMTP saw %d attempts, want %d", tc.name, got, tc.wantSMTP)
			}
			if got := chatAfter - chatBefore; got != tc.wantChat {
				t.Errorf("%s: chat saw %d attempts, want %d", tc.name, got, tc.wantChat)
			}
		}
		if n := len(r.smtp.messages()); n != 0 {
			t.Errorf("%d e-mails accepted, want none", n)
		}
	})
}

// TestAlertRetryResendsOnlyFailedChannels lets the chat webhook fail twice
// while e-mail works: the alert is sent on the third attempt and the e-mail
// went out once.
func TestAlertRetryResendsOnlyFailedChannels(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop = "partial.myshopify.com"
		r.install(shop)
		r.putSettings(shop, map[string]any{"alerts_enabled": true, "emails": []string{"owner@example.com"},
			"chat_webhook_url": r.chat.srv.URL + "/hook"})
		r.chat.setAnswer(func(n int) int {
			if n <= 2 {
				return http.StatusBadGateway
			}
			return http.StatusOK
		})
		r.deliverAll(shop, []delivery{cartWith(t, "cart-partial", "Mug", r.clock.Now().Add(-3*time.Hour), 2000)})
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		a := r.waitAlerts(shop, 1)[0]
		if a.Status != store.AlertSent || a.Attempts != 3 || a.LastError != "" {
			t.Errorf("alert %+v, want sent on the third attempt", a)
		}
		bodies, hits := r.chat.received()
		if n := len(r.smtp.messages()); n != 1 || len(bodies) != 1 || hits != 3 {
			t.Errorf("e-mails %d (want 1), chat messages %d in %d requests (want 1 in 3)", n, len(bodies), hits)
		}
	})
}
