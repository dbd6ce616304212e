package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/store"
)

// sessionDetail is what the tests read of GET /api/sessions/{key}.
type sessionDetail struct {
	Session struct {
		Key, Status, Email string
		ValueDisplay       string `json:"value_display"`
	}
	Device   string
	Timeline []struct {
		Source, Name, Label, Stage string
		StageLabel                 string `json:"stage_label"`
		ValueDisplay               string `json:"value_display"`
		At                         time.Time
	}
	TimelineEvents  int `json:"timeline_events"`
	TimelineLeftOut int `json:"timeline_left_out"`
	Alerts          []struct {
		Kind, Status string
		StatusLabel  string `json:"status_label"`
	}
}

// TestAPISession opens one shopper's session with its timeline, in the
// authenticated shop only: another shop's key is a 404 that says nothing of
// it, a key that cannot be a session's a 400 with a plain message, and the
// page shows the same timeline.
func TestAPISession(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const a, b = "detail-a.myshopify.com", "detail-b.myshopify.com"
		h.install(a)
		h.install(b)
		start := h.clock.Now().Add(-3 * time.Hour)
		// The journey's deliveries arrive backwards: the timeline is in
		// the payloads' order of time all the same.
		ds := journey(t, 7, funnel.StagePaymentReached, start, 4200)
		for i := len(ds) - 1; i >= 0; i-- {
			if resp, body := h.webhook(ds[i].topic, a, a+ds[i].id, ds[i].body); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", ds[i].topic, resp.StatusCode, body)
			}
		}

		resp, body := h.api(http.MethodGet, "/api/sessions/cart-007", a, nil)
		var d sessionDetail
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil {
			t.Fatalf("GET /api/sessions/cart-007: %d %s", resp.StatusCode, body)
		}
		if d.Session.Key != "cart-007" || d.Session.Status != "payment_dropoff" || d.Session.Email != "shopper7@example.com" ||
			d.Session.ValueDisplay != "$42.00" || d.Device != "unknown" {
			t.Errorf("session %+v, device %q", d.Session, d.Device)
		}
		if len(d.Timeline) != len(ds) || d.TimelineEvents != len(ds) || d.TimelineLeftOut != 0 {
			t.Fatalf("timeline of %d entries (%d events), want the %d deliveries: %s", len(d.Timeline), d.TimelineEvents, len(ds), body)
		}
		var labels, stages []string
		for i, e := range d.Timeline {
			if i > 0 && e.At.Before(d.Timeline[i-1].At) {
				t.Errorf("entry %d at %v is before the one above it", i, e.At)
			}
			if e.Source != "webhook" || e.ValueDisplay != "$42.00" {
				t.Errorf("entry %d: %+v", i, e)
			}
			labels, stages = append(labels, e.Label), append(stages, e.StageLabel)
		}
		if labels[0] != "Cart created" || labels[1] != "Checkout started" || labels[len(labels)-1] != "Checkout updated" {
			t.Errorf("labels %v", labels)
		}
		if stages[0] != funnel.StageAddedToCart.Label() || stages[len(stages)-1] != funnel.StagePaymentReached.Label() {
			t.Errorf("stages %v", stages)
		}

		// Another shop, however it asks, finds nothing of it.
		for _, key := range []string{"cart-007", "chk-007"} {
			resp, body := h.api(http.MethodGet, "/api/sessions/"+key, b, nil)
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "not in this store's records") || strings.Contains(string(body), "shopper7") {
				t.Errorf("shop B, %s: %d %s", key, resp.StatusCode, body)
			}
		}
		// The checkout's token, as a link made before the cart arrived
		// would name it, finds the session.
		if resp, body := h.api(http.MethodGet, "/api/sessions/chk-007", a, nil); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"key":"cart-007"`) {
			t.Errorf("by the checkout token: %d %.200s", resp.StatusCode, body)
		}
		for _, bad := range []string{"%00", strings.Repeat("k", 256), "%FF"} {
			resp, body := h.api(http.MethodGet, "/api/sessions/"+bad, a, nil)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "not a link to a shopper") {
				t.Errorf("key %.20q: %d %s, want a 400 in words", bad, resp.StatusCode, body)
			}
		}
		if resp, body := h.api(http.MethodGet, "/api/sessions/cart-999", a, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown key: %d %s", resp.StatusCode, body)
		}
		if resp, _ := h.get("/api/sessions/cart-007"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("without a session token: %d, want 401", resp.StatusCode)
		}

		// The page, as the admin opens it, shows the same timeline.
		q := url.Values{"shop": {a}, "embedded": {"1"}, "id_token": {h.sessionToken(a)}}
		resp, page := h.get("/sessions/cart-007?" + q.Encode())
		if resp.StatusCode != http.StatusOK || strings.Count(string(page), `data-source="webhook"`) != len(ds) ||
			!strings.Contains(string(page), "shopper7@example.com") || !strings.Contains(string(page), "Payment drop-off: $42.00") {
			t.Errorf("the session page: %d\n%.3000s", resp.StatusCode, page)
		}
		qb := url.Values{"shop": {b}, "embedded": {"1"}, "id_token": {h.sessionToken(b)}}
		if resp, page := h.get("/sessions/cart-007?" + qb.Encode()); resp.StatusCode != http.StatusNotFound ||
			!strings.Contains(string(page), "not in this store") || strings.Contains(string(page), "shopper7") {
			t.Errorf("shop B's session page for A's shopper: %d\n%.2000s", resp.StatusCode, page)
		}
	})
}

// TestAPISessionsSearchAndSegment lists the range's shoppers of one
// segment value, searched by e-mail or product, and refuses a search or a
// segment it cannot use, naming the parameter.
func TestAPISessionsSearchAndSegment(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "lists.myshopify.com"
		h.install(shop)
		start := h.clock.Now().Add(-3 * time.Hour)
		shoppers := []journeys.Shopper{
			{N: 1, Cart: "cart-1", Checkout: "chk-1", Email: "Ann@Example.com", Items: []journeys.Item{{Title: "Blue Mug", Cents: 2000, Qty: 1}},
				Country: journeys.Country{Code: "DE", Name: "Germany", City: "Berlin", Zip: "10115"}},
			{N: 2, Cart: "cart-2", Checkout: "chk-2", Email: "bob@example.org", Items: []journeys.Item{{Title: "Tea Towel", Cents: 3000, Qty: 2}},
				Country: journeys.Country{Code: "FR", Name: "France", City: "Paris", Zip: "75001"}},
			{N: 3, Cart: "cart-3", Checkout: "chk-3", Email: "cy@example.com", Items: []journeys.Item{{Title: "Mug Stand", Cents: 1000, Qty: 1}},
				Country: journeys.Country{Code: "DE", Name: "Germany", City: "Bonn", Zip: "53111"}},
		}
		for _, s := range shoppers {
			s.Stop, s.At, s.Source = funnel.StageAddressSubmitted, scenarioTimes(start), "web"
			h.deliverAll(shop, deliveriesOf(t, s))
		}
		list := func(query string) []string {
			t.Helper()
			resp, body := h.api(http.MethodGet, "/api/sessions?status=checkout_dropoff&"+query, shop, nil)
			var page struct{ Sessions []struct{ Key string } }
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
				t.Fatalf("/api/sessions?%s: %d %s", query, resp.StatusCode, body)
			}
			keys := []string{}
			for _, s := range page.Sessions {
				keys = append(keys, s.Key)
			}
			return keys
		}
		for _, tc := range []struct{ query, want string }{
			{"", "cart-3 cart-2 cart-1"},
			{"q=mug", "cart-3 cart-1"},
			{"q=ANN%40example", "cart-1"},
			{"q=+towel+", "cart-2"},
			{"segment=country&segment_value=DE", "cart-3 cart-1"},
			{"segment=country&segment_value=DE&q=stand", "cart-3"},
			{"segment=country", "cart-3 cart-2 cart-1"},
			{"q=100%25", ""},
		} {
			if got := strings.Join(list(tc.query), " "); got != tc.want {
				t.Errorf("%q lists %q, want %q", tc.query, got, tc.want)
			}
		}
		for _, tc := range []struct{ query, field string }{
			{"q=" + strings.Repeat("x", 201), "q"},
			{"q=%00", "q"},
			{"segment_value=DE", "segment_value"},
			{"segment=shoe_size&segment_value=9", "segment"},
		} {
			resp, body := h.api(http.MethodGet, "/api/sessions?"+tc.query, shop, nil)
			var e struct{ Error, Field string }
			if resp.StatusCode != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Field != tc.field || e.Error == "" {
				t.Errorf("%.40s: %d %s, want a 400 about %s", tc.query, resp.StatusCode, body, tc.field)
			}
		}
	})
}

// TestAlertStatusInWords lists an alert's status in words in the alerts
// API and on its session: waiting for its digest, then sent.
func TestAlertStatusInWords(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	r := newAlertRig(t, st)
	const shop = "words.myshopify.com"
	r.install(shop)
	r.putSettings(shop, map[string]any{"alerts_enabled": true, "emails": []string{"owner@example.com"},
		"immediate_min_value": "100.00", "min_value": "1.00", "digest": "hourly"})
	r.deliverAll(shop, []delivery{cartWith(t, "cart-small", "Mug", r.clock.Now().Add(-2*time.Hour), 2000)})
	if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
		t.Fatal(err)
	}
	al := r.alerts(shop) // queued by the scan itself
	if len(al) != 1 {
		t.Fatalf("alerts after the scan: %+v", al)
	}
	h := r.harness
	resp, body := h.api(http.MethodGet, "/api/alerts", shop, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status_label":"Waiting for digest"`) {
		t.Errorf("GET /api/alerts for a digest alert: %d %s", resp.StatusCode, body)
	}
	resp, body = h.api(http.MethodGet, "/api/sessions/"+al[0].SessionKey, shop, nil)
	var d sessionDetail
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil || len(d.Alerts) != 1 ||
		d.Alerts[0].StatusLabel != "Waiting for digest" || d.Alerts[0].Kind != "abandoned_cart" {
		t.Errorf("the session's alerts: %d %s", resp.StatusCode, body)
	}
}
