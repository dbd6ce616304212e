package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// payload reads a fixture of testdata/shopify with fields replaced.
func payload(t *testing.T, name string, fields map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testkit.Fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// receiver is the app receiving webhooks on a database, as `serve` would.
type receiver struct {
	t     *testing.T
	app   *app.App
	store *store.Store
	clock *testkit.Clock
}

func newReceiver(t *testing.T, url string) *receiver {
	t.Helper()
	// An hour ago, so that what is received again now is received later.
	r := &receiver{t: t, clock: testkit.NewClock(time.Now().UTC().Add(-time.Hour).Truncate(time.Second))}
	st, err := store.Open(t.Context(), url, store.Options{EncryptionKey: storetest.Key(), Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	a, err := app.New(app.Config{APIKey: "k", APISecret: testSecret, AppURL: "http://127.0.0.1", Scopes: "read_orders",
		APIVersion: app.DefaultAPIVersion, AbandonAfter: time.Hour, PayloadRetention: app.DefaultPayloadRetention}, st, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	r.app, r.store = a, st
	return r
}

// webhook delivers a signed webhook and returns the answer's body.
func (r *receiver) webhook(topic, shop, id string, body []byte) string {
	r.t.Helper()
	rec := httptest.NewRecorder()
	r.app.Handler().ServeHTTP(rec, shopifytest.SignedWebhook("http://127.0.0.1/webhooks", testSecret, topic, shop, id, body))
	if rec.Code != http.StatusOK {
		r.t.Fatalf("webhook %s: %d %s", id, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func (r *receiver) install(shop string) store.Shop {
	r.t.Helper()
	return storetest.Install(r.t, r.store, shop)
}

// keptID is the id of the kept unusable delivery with webhookID.
func (r *receiver) keptID(webhookID string) int64 {
	r.t.Helper()
	kept, err := r.store.UnusableDeliveries(r.t.Context(), 100)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, k := range kept {
		if k.Delivery.WebhookID == webhookID {
			return k.ID
		}
	}
	r.t.Fatalf("no kept delivery %s", webhookID)
	return 0
}

// runDeliveries runs `funnelscope deliveries args...` on url and returns
// what it printed and its error.
func runDeliveries(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := deliveriesCommand(t.Context(), logger, envOf(map[string]string{"DATABASE_URL": url}), args, &out)
	return out.String(), err
}

// TestDeliveriesListAndReplay keeps five unusable deliveries — a cart of a
// shop not yet installed, malformed JSON, a privacy request, a topic
// header too long to store, and one whose payload has been purged — and
// lists and replays them with `funnelscope deliveries`: the list shows
// each one's id, receipt, topic, shop and reason and never a payload; once
// the shop is installed its cart is applied (and a redelivery of it is a
// duplicate), the malformed one is kept again with its first receipt, and
// the others say why they are not replayed and stay as they were.
func TestDeliveriesListAndReplay(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			url := storetest.URL(t, dialect)
			r := newReceiver(t, url)
			const later, known = "later.myshopify.com", "known.myshopify.com"
			r.install(known)

			start := r.clock.Now()
			r.clock.Set(start.Add(-10 * 24 * time.Hour))
			r.webhook("carts/create", "gone.myshopify.com", "wh-purged", payload(t, "carts_create.json", map[string]any{"token": "cart-purged"}))
			if _, err := r.store.PurgePayloads(t.Context(), start.Add(-7*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			r.clock.Set(start)
			cart := payload(t, "carts_create.json", map[string]any{"id": "cart-later", "token": "cart-later"})
			if body := r.webhook("carts/create", later, "wh-later", cart); !strings.Contains(body, "kept") {
				t.Fatalf("a cart of a shop not installed: %s, want kept", body)
			}
			r.clock.Set(start.Add(time.Minute))
			r.webhook("carts/update", known, "wh-malformed", []byte(`{"token": "cart-x", "line_items": [`))
			r.clock.Set(start.Add(2 * time.Minute))
			r.webhook("customers/redact", known, "wh-redact", payload(t, "customers_redact.json", map[string]any{"shop_domain": known}))
			r.clock.Set(start.Add(3 * time.Minute))
			longTopic := "carts/" + strings.Repeat("x", 300)
			r.webhook(longTopic, known, "wh-topic", cart)

			out, err := runDeliveries(t, url, "list")
			if err != nil {
				t.Fatalf("list: %v\n%s", err, out)
			}
			ids := map[string]int64{}
			for _, wh := range []string{"wh-purged", "wh-later", "wh-malformed", "wh-redact", "wh-topic"} {
				ids[wh] = r.keptID(wh)
			}
			for wh, line := range map[string]string{
				"wh-later":     `^` + strconv.FormatInt(ids["wh-later"], 10) + ` +` + regexp.QuoteMeta(start.Format(time.DateTime)) + ` +carts/create +later\.myshopify\.com +kept +shop is not installed$`,
				"wh-malformed": `^` + strconv.FormatInt(ids["wh-malformed"], 10) + ` +\S+ \S+ +carts/update +known\.myshopify\.com +kept +\S.*$`,
				"wh-redact":    `^` + strconv.FormatInt(ids["wh-redact"], 10) + ` +\S+ \S+ +customers/redact +known\.myshopify\.com +kept +customer erasure queued$`,
				"wh-topic":     `^` + strconv.FormatInt(ids["wh-topic"], 10) + ` +\S+ \S+ +sha256:[0-9a-f]+ +known\.myshopify\.com +kept +.*X-Shopify-Topic.*$`,
				"wh-purged":    `^` + strconv.FormatInt(ids["wh-purged"], 10) + ` +\S+ \S+ +carts/create +gone\.myshopify\.com +purged +shop is not installed$`,
			} {
				if !regexp.MustCompile(`(?m)` + line).MatchString(out) {
					t.Errorf("the list has no line for %s matching %s:\n%s", wh, line, out)
				}
			}
			for _, secret := range []string{"Example T-Shirt", "john@example.com", "555-625-1199", "cart-later", "cart-x", "704912205188288575"} {
				if strings.Contains(out, secret) {
					t.Errorf("the list shows %q, from a payload:\n%s", secret, out)
				}
			}

			shop := r.install(later)
			out, err = runDeliveries(t, url, "replay", strconv.FormatInt(ids["wh-later"], 10), strconv.FormatInt(ids["wh-malformed"], 10),
				strconv.FormatInt(ids["wh-redact"], 10), strconv.FormatInt(ids["wh-topic"], 10), strconv.FormatInt(ids["wh-purged"], 10), "999999")
			if err == nil || !strings.Contains(err.Error(), "4 of 6 deliveries were not replayed") {
				t.Errorf("replay's error = %v, want 4 of 6 not replayed", err)
			}
			for _, want := range []string{
				"delivery " + strconv.FormatInt(ids["wh-later"], 10) + " (carts/create for later.myshopify.com): applied to its funnel session\n",
				"delivery " + strconv.FormatInt(ids["wh-malformed"], 10) + " (carts/update for known.myshopify.com): still unusable, kept again: ",
				"delivery " + strconv.FormatInt(ids["wh-redact"], 10) + " (customers/redact for known.myshopify.com): not replayed: it is a privacy request",
				"delivery " + strconv.FormatInt(ids["wh-topic"], 10) + " (sha256:",
				"not replayed: the app does not handle topic sha256:",
				"delivery " + strconv.FormatInt(ids["wh-purged"], 10) + " (carts/create for gone.myshopify.com): not replayed: its payload was purged",
				"delivery 999999: there is no such delivery\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("replay's output lacks %q:\n%s", want, out)
				}
			}

			sessions, _, err := r.store.ListSessions(t.Context(), store.SessionFilter{ShopID: shop.ID, Limit: 10})
			if err != nil || len(sessions) != 1 || sessions[0].Key != "cart-later" {
				t.Errorf("the replayed cart's sessions = %+v, %v; want its one session", sessions, err)
			}
			if body := r.webhook("carts/create", later, "wh-later", cart); !strings.Contains(body, "duplicate") {
				t.Errorf("Shopify's redelivery of the replayed cart: %s, want duplicate", body)
			}
			var received time.Time
			var ingested bool
			if err := r.store.DB().QueryRowContext(t.Context(), "SELECT received_at, ingested FROM deliveries WHERE webhook_id = $1", "wh-later").
				Scan(&received, &ingested); err != nil || !ingested || !received.Equal(start) {
				t.Errorf("the replayed delivery: received %v, ingested %v, %v; want ingested, received %v as first", received, ingested, err, start)
			}

			kept, err := r.store.UnusableDeliveries(t.Context(), 100)
			if err != nil {
				t.Fatal(err)
			}
			byWebhook := map[string]store.KeptDelivery{}
			for _, k := range kept {
				byWebhook[k.Delivery.WebhookID] = k
			}
			if _, ok := byWebhook["wh-later"]; ok || len(kept) != 4 {
				t.Errorf("kept after the replay: %d, the applied one among them: %v; want the 4 others", len(kept), ok)
			}
			if k := byWebhook["wh-malformed"]; k.ID == ids["wh-malformed"] || !k.ReceivedAt.Equal(start.Add(time.Minute)) || k.Reason == "" {
				t.Errorf("the malformed delivery kept again: %+v; want a new row with its reason and first receipt", k)
			}
			for _, wh := range []string{"wh-redact", "wh-topic", "wh-purged"} {
				if k := byWebhook[wh]; k.ID != ids[wh] {
					t.Errorf("%s after its replay was refused: id %d, want it as it was (%d)", wh, k.ID, ids[wh])
				}
			}
			if body := r.webhook(longTopic, known, "wh-topic", cart); !strings.Contains(body, "duplicate") {
				t.Errorf("a redelivery of the delivery whose replay recorded nothing: %s, want duplicate", body)
			}
		})
	}
}

// TestDeliveriesUsage checks that a command line the command does not
// understand is a usage error, and that nothing is opened for it.
func TestDeliveriesUsage(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "none")
	for _, args := range [][]string{nil, {"lists"}, {"replay"}, {"list", "extra"}, {"list", "-limit", "0"}} {
		if _, err := runDeliveries(t, "sqlite:"+filepath.Join(dir, "x.db"), args...); !errors.Is(err, errUsage) {
			t.Errorf("deliveries %q: %v, want the usage", args, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage error opened the database (%v)", err)
	}
	if _, err := runDeliveries(t, "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "replay", "12x"); err == nil || !strings.Contains(err.Error(), "not a delivery id") {
		t.Errorf("deliveries replay 12x: %v, want a plain refusal", err)
	}
}
