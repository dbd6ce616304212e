package app_test

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/store"
)

// nxdomainServer is a DNS server on loopback that answers every question
// "no such name", as a resolver does for a webhook host that does not
// exist; it returns its address.
func nxdomainServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			// The answer is the question: header flags QR, RD as asked,
			// RA, RCODE 3 (NXDOMAIN); no answer, authority or additional
			// records, so the message ends after the question.
			end := 12
			for end < n && buf[end] != 0 {
				end += int(buf[end]) + 1
			}
			end += 5
			if end > n {
				continue
			}
			msg := append([]byte(nil), buf[:end]...)
			msg[2] = 0x80 | msg[2]&0x01
			msg[3] = 0x80 | 3
			msg[6], msg[7], msg[8], msg[9], msg[10], msg[11] = 0, 0, 0, 0, 0, 0
			_, _ = pc.WriteTo(msg, addr)
		}
	}()
	return pc.LocalAddr().String()
}

// resolvingClient is an HTTP client whose names are looked up at dnsAddr.
func resolvingClient(dnsAddr string) *http.Client {
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", dnsAddr)
	}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = (&net.Dialer{Resolver: resolver, Timeout: 2 * time.Second}).DialContext
	return &http.Client{Transport: tr}
}

// leaksDetail matches what a merchant must not be shown of a failure: IP
// addresses (a resolver's, a name's), ports and Go's error words.
var leaksDetail = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|\[?::1\]?|:\d{2,5}\b|lookup|dial tcp|no such host|127\.0\.0`)

// TestAlertErrorsArePlain makes each channel fail in a way the merchant can
// fix, and checks that the alert's last_error says so in plain words, with
// no resolver address, no name-to-address mapping and no Go error text,
// while the log keeps the detail.
func TestAlertErrorsArePlain(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		dnsAddr := nxdomainServer(t)
		tune := func(client *http.Client) {
			r.app.TuneAlertsForTest(alerts.Tuning{Backoff: func(int) time.Duration { return 20 * time.Millisecond },
				SendTimeout: 2 * time.Second, HTTPClient: client, MaxAttempts: 2})
		}
		cases := []struct {
			name     string
			email    string
			webhook  string
			setup    func()
			want     string
			attempts int
			// inLog is a piece of the detail the log must keep.
			inLog string
		}{
			{name: "does not resolve", webhook: "https://hooks.chat.invalid/services/T0/B0/secret",
				setup: func() { tune(resolvingClient(dnsAddr)) },
				want:  "The chat webhook's address did not resolve.", attempts: 2, inLog: "no such host"},
			{name: "not public", webhook: r.chat.srv.URL + "/hook",
				setup: func() { tune(nil) }, // the default client, which refuses non-public addresses
				want:  "Refused: the chat webhook is not on a public address.", attempts: 1, inLog: "non-public address 127.0.0.1"},
			{name: "404", webhook: r.chat.srv.URL + "/hook",
				setup: func() { tune(r.chat.srv.Client()); r.chat.setAnswer(func(int) int { return http.StatusNotFound }) },
				want: "The chat webhook answered 404 Not Found: the webhook may have been removed; " +
					"make a new one and paste its address in Settings.", attempts: 1, inLog: "chat webhook answered 404"},
			{name: "recipient refused", email: "owner@example.com",
				setup: func() {
					tune(r.chat.srv.Client())
					r.smtp.setRefuse(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here at 10.0.0.7"})
				},
				want:     "The mail server refused the recipient owner@example.com (SMTP 550 5.1.1); check the address in Settings.",
				attempts: 2, inLog: "no such user here"},
		}
		for i, tc := range cases {
			shop := []string{"plain-a", "plain-b", "plain-c", "plain-d"}[i] + ".myshopify.com"
			r.install(shop)
			emails := []string{}
			if tc.email != "" {
				emails = []string{tc.email}
			}
			r.putSettings(shop, map[string]any{"alerts_enabled": true, "emails": emails, "chat_webhook_url": tc.webhook})
			tc.setup()
			r.deliverAll(shop, []delivery{cartWith(t, "cart-"+shop, "Mug", r.clock.Now().Add(-3*time.Hour), 2000)})
			if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
				t.Fatal(err)
			}
			a := r.waitAlerts(shop, 1)[0]
			if a.Status != store.AlertFailed || a.LastError != tc.want || a.Attempts != tc.attempts {
				t.Errorf("%s: alert %s after %d attempts with last_error %q, want failed after %d with %q",
					tc.name, a.Status, a.Attempts, a.LastError, tc.attempts, tc.want)
			}
			if m := leaksDetail.FindString(a.LastError); m != "" {
				t.Errorf("%s: last_error %q shows %q", tc.name, a.LastError, m)
			}
			if !strings.Contains(r.logText(), tc.inLog) {
				t.Errorf("%s: the log lacks the detail %q", tc.name, tc.inLog)
			}
			if strings.Contains(r.logText(), "secret") {
				t.Errorf("%s: the log shows the webhook URL's secret", tc.name)
			}
			r.smtp.setRefuse(nil)
			r.chat.setAnswer(func(int) int { return http.StatusOK })
		}
	})
}
