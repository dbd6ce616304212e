package app_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestCollectWholeVisit posts the fixtures' whole visit through the real
// server and checks the visit it stored field by field, the raw events
// kept, and the pixel's last-seen time.
func TestCollectWholeVisit(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		shopID, key := h.pixelShop(visitShop)
		b := visitBatch(t)
		resp, body := h.collect(b.body(t, visitShop, key, b.Events))
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Fatalf("POST /collect = %d %q, want 204 and no body", resp.StatusCode, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("Access-Control-Allow-Credentials = %q, want none", got)
		}
		if n := h.rows("storefront_events"); n != len(b.Events) {
			t.Errorf("storefront_events holds %d rows, want the batch's %d", n, len(b.Events))
		}
		vs := h.visits(shopID)
		if len(vs) != 1 {
			t.Fatalf("%d visits, want 1: %+v", len(vs), vs)
		}
		v := vs[0]
		at := func(s string) time.Time {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			return tm
		}
		checks := []struct {
			what      string
			got, want any
		}{
			{"client", v.ClientID, "a3c1e9f2-6b7d-4e58-9c0a-2f4d8b1e7c63"},
			{"start", v.Start, at("2026-11-24T14:02:11Z")},
			{"end", v.End, at("2026-11-24T14:05:00.750Z")},
			{"bot", v.Bot, false},
			{"device", v.Device, funnel.DeviceMobile},
			{"landing", v.Landing, funnel.PageHome},
			{"landing path", v.LandingPath, "/"},
			{"source", v.Source, funnel.SourceSearch},
			{"furthest", v.Furthest(), funnel.StorefrontCompleted},
			{"viewed product at", v.Stages[funnel.StorefrontViewedProduct], at("2026-11-24T14:02:28.370Z")},
			{"added at", v.Stages[funnel.StorefrontAddedToCart], at("2026-11-24T14:02:44.560Z")},
			{"checkout at", v.Stages[funnel.StorefrontCheckoutStarted], at("2026-11-24T14:02:51.250Z")},
			{"payment reached at", v.Stages[funnel.StorefrontPaymentReached], at("2026-11-24T14:03:59.250Z")},
			{"payment submitted at", v.Stages[funnel.StorefrontPaymentSubmitted], at("2026-11-24T14:04:56.250Z")},
			{"completed at", v.Stages[funnel.StorefrontCompleted], at("2026-11-24T14:05:00.750Z")},
			{"completed by order", v.CompletedByOrder, false},
			{"cart tokens", v.CartTokens, []string{"Z2NwLXVzLWVhc3QxOjAxSkREOVhRNVc0RzhZUDJNSzNWN1RBMVBI"}},
			{"checkout tokens", v.CheckoutTokens, []string{"8b5e2f7c1d9a4e6b3c0f5a7d2e9b4c1f"}},
			{"products", len(v.Products), 1},
		}
		for _, m := range []funnel.MicroKey{funnel.MicroScrolledHalf, funnel.MicroNavigated, funnel.MicroProductClicked,
			funnel.MicroFiltered, funnel.MicroGallery, funnel.MicroReviewsReached, funnel.MicroVariantSelected, funnel.MicroAddedToCart} {
			checks = append(checks, struct {
				what      string
				got, want any
			}{"micro " + string(m), v.Micro(m), true})
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("visit %s = %v, want %v", c.what, c.got, c.want)
			}
		}
		for id, p := range v.Products {
			if p.ViewCount() != 1 || p.AddCount() != 1 || p.Title == "" {
				t.Errorf("product %s: %d views, %d adds, title %q; want 1, 1 and a title", id, p.ViewCount(), p.AddCount(), p.Title)
			}
		}
		seen, err := st.PixelLastSeen(context.Background(), shopID)
		if err != nil || seen == nil {
			t.Errorf("PixelLastSeen = %v, %v; want the commit's time", seen, err)
		}
	})
}

// TestCollectOrderInsensitive posts the same visit to a second shop
// shuffled, with repeats, split into batches of random sizes, and checks
// that both shops end with identical visits.
func TestCollectOrderInsensitive(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		wholeID, wholeKey := h.pixelShop(visitShop)
		mixedID, mixedKey := h.pixelShop("mixed.myshopify.com")
		b := visitBatch(t)
		if resp, body := h.collect(b.body(t, visitShop, wholeKey, b.Events)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("whole batch: %d %s", resp.StatusCode, body)
		}
		r := rand.New(rand.NewPCG(3, 4))
		events := append([]json.RawMessage(nil), b.Events...)
		for range 10 {
			events = append(events, b.Events[r.IntN(len(b.Events))])
		}
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		for len(events) > 0 {
			k := min(len(events), 1+r.IntN(6))
			if resp, body := h.collect(b.body(t, "mixed.myshopify.com", mixedKey, events[:k])); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("part batch: %d %s", resp.StatusCode, body)
			}
			events = events[k:]
		}
		whole, mixed := h.visits(wholeID), h.visits(mixedID)
		if len(whole) != 1 || !reflect.DeepEqual(whole, mixed) {
			t.Errorf("visits differ:\nwhole %+v\nmixed %+v", whole, mixed)
		}
	})
}

// TestCollectBadInput sends every kind of bad batch and checks each is
// answered as DESIGN.md says, in plain text, with nothing stored.
func TestCollectBadInput(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		shopID, key := h.pixelShop(visitShop)
		_, otherKey := h.pixelShop("other.myshopify.com")
		b := visitBatch(t)
		event := func(id, at, ua string) json.RawMessage {
			return json.RawMessage(`{"id":"` + id + `","name":"page_viewed","type":"standard","clientId":"c-1","timestamp":"` + at +
				`","context":{"document":{"location":{"href":"https://example.myshopify.com/","pathname":"/","host":"example.myshopify.com"}},"navigator":{"userAgent":"` + ua + `"}},"data":{}}`)
		}
		many := make([]json.RawMessage, 201)
		for i := range many {
			many[i] = json.RawMessage(`{"id":"e` + strings.Repeat("x", i%3) + `","name":"page_viewed","clientId":"c","timestamp":"2026-11-24T14:00:00Z"}`)
		}
		huge := []json.RawMessage{json.RawMessage(`{"id":"big","name":"page_viewed","clientId":"c","timestamp":"2026-11-24T14:00:00Z","customData":{"pad":"` + strings.Repeat("a", 70<<10) + `"}}`)}
		cases := []struct {
			name   string
			body   []byte
			status int
		}{
			{"malformed JSON", []byte(`{"shop": "example.myshopify.com", "key": `), http.StatusBadRequest},
			{"not an object", []byte(`[1, 2, 3]`), http.StatusBadRequest},
			{"events not an array", []byte(`{"shop":"example.myshopify.com","key":"` + key + `","events":{}}`), http.StatusBadRequest},
			{"unknown key", []byte(`{"shop":"example.myshopify.com","key":"` + key + `","events":[],"extra":1}`), http.StatusBadRequest},
			{"event without an id", b.body(t, visitShop, key, []json.RawMessage{json.RawMessage(`{"name":"page_viewed","clientId":"c","timestamp":"2026-11-24T14:00:00Z"}`)}), http.StatusBadRequest},
			{"too many events", b.body(t, visitShop, key, many), http.StatusBadRequest},
			{"oversize", b.body(t, visitShop, key, huge), http.StatusRequestEntityTooLarge},
			{"unknown key", b.body(t, visitShop, "not-a-key", b.Events), http.StatusForbidden},
			{"another shop's key", b.body(t, visitShop, otherKey, b.Events), http.StatusForbidden},
			{"future timestamps", b.body(t, visitShop, key, []json.RawMessage{event("f1", "2026-11-25T14:07:00Z", "Mozilla/5.0 (iPhone) Mobile")}), http.StatusNoContent},
			{"distant past", b.body(t, visitShop, key, []json.RawMessage{event("p1", "2026-10-25T14:05:00Z", "Mozilla/5.0 (iPhone) Mobile")}), http.StatusNoContent},
			{"a bot", b.body(t, visitShop, key, []json.RawMessage{event("b1", "2026-11-24T14:00:00Z", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")}), http.StatusNoContent},
			{"a headless browser", b.body(t, visitShop, key, []json.RawMessage{event("b2", "2026-11-24T13:00:00Z", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")}), http.StatusNoContent},
		}
		for _, c := range cases {
			resp, body := h.collect(c.body)
			if resp.StatusCode != c.status {
				t.Errorf("%s: %d %q, want %d", c.name, resp.StatusCode, body, c.status)
				continue
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s: no CORS header on the answer", c.name)
			}
			if c.status != http.StatusNoContent {
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || len(body) == 0 || len(body) > 300 {
					t.Errorf("%s: answer %q (%s), want a short plain message", c.name, body, ct)
				}
				if strings.Contains(string(body), key) || strings.Contains(string(body), otherKey) {
					t.Errorf("%s: the answer echoes a pixel key", c.name)
				}
			}
			if n := h.rows("storefront_events"); n != 0 {
				t.Fatalf("%s: %d storefront events stored", c.name, n)
			}
		}
		// The bots are counted apart, in bot visits, and in no report.
		tallies, err := st.StorefrontTallies(context.Background(), shopID,
			funnel.NewDayRange(visitArrival.AddDate(0, 0, -40), visitArrival.AddDate(0, 0, 2), time.UTC), "")
		if err != nil {
			t.Fatal(err)
		}
		all := tallies.Segments[store.AllSegment]
		if all == nil || all.Visits() != 0 || all.Bots != 2 {
			t.Errorf("after the bad batches: tally %+v, want no visits and 2 bots", all)
		}
		if n := h.rows("visits"); n != 2 {
			t.Errorf("%d visit rows, want the 2 bot visits alone", n)
		}
		if seen, _ := st.PixelLastSeen(context.Background(), shopID); seen == nil {
			t.Error("the accepted (if uncounted) batches did not mark the pixel seen")
		}
	})
}
