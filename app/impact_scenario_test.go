package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// Storefront user agents of a phone and a desktop.
const (
	impactUAPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	impactUADesktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// impactShopper is one seeded shopper: when it started, its device, and
// whether it went from payment to an order (and when its last event was).
type impactShopper struct {
	at, last  time.Time
	phone     bool
	completed bool
}

// seedImpactShoppers ingests the shoppers through the store as webhooks
// and the pixel deliver them: a visit from the shopper's device carrying
// its cart token, a checkout that reached payment, and for some an order.
func seedImpactShoppers(t *testing.T, st *store.Store, shop store.Shop, shoppers []impactShopper) {
	t.Helper()
	seedShoppersAs(t, st, shop, "imp", shoppers)
}

// seedShoppersAs is seedImpactShoppers with the tokens and webhook ids
// named from prefix, so that several shops can be seeded in one database.
func seedShoppersAs(t *testing.T, st *store.Store, shop store.Shop, prefix string, shoppers []impactShopper) {
	t.Helper()
	ctx := context.Background()
	for first := 0; first < len(shoppers); first += 150 {
		var items []store.IngestItem
		var events []funnel.StorefrontEvent
		for i := first; i < min(first+150, len(shoppers)); i++ {
			s := shoppers[i]
			cart, chk, client := fmt.Sprintf("%s-cart-%d", prefix, i), fmt.Sprintf("%s-chk-%d", prefix, i), fmt.Sprintf("%s-client-%d", prefix, i)
			ua := impactUADesktop
			if s.phone {
				ua = impactUAPhone
			}
			events = append(events,
				funnel.StorefrontEvent{ID: client + "-1", ClientID: client, Name: funnel.EventPageViewed, At: s.at, Host: shop.Domain, Path: "/products/mug", UserAgent: ua},
				funnel.StorefrontEvent{ID: client + "-2", ClientID: client, Name: funnel.EventCart, At: s.at.Add(time.Minute), CartToken: cart})
			co := funnel.Event{Kind: funnel.KindCheckout, CartToken: cart, CheckoutToken: chk, CreatedAt: s.at.Add(time.Minute), UpdatedAt: s.at.Add(2 * time.Minute),
				Value: 5000, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}},
				Email: "ann@example.com", HasShippingAddress: true, RequiresShipping: true, HasShippingLine: true, Country: "DE", SourceName: "web"}
			items = append(items, store.IngestItem{ShopID: shop.ID, Event: &co, Delivery: store.Delivery{WebhookID: prefix + "-co-" + strconv.Itoa(i),
				EventID: prefix + "-ev-co-" + strconv.Itoa(i), Topic: "checkouts/update", ShopDomain: shop.Domain, APIVersion: "2026-10", Payload: []byte(`{}`)}})
			if s.completed {
				last := s.last
				if last.IsZero() {
					last = s.at.Add(5 * time.Minute)
				}
				or := funnel.Event{Kind: funnel.KindOrder, CartToken: cart, CheckoutToken: chk, CreatedAt: last, UpdatedAt: last,
					Value: 5000, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}, Email: "ann@example.com", Country: "DE", SourceName: "web"}
				items = append(items, store.IngestItem{ShopID: shop.ID, Event: &or, Delivery: store.Delivery{WebhookID: prefix + "-or-" + strconv.Itoa(i),
					EventID: prefix + "-ev-or-" + strconv.Itoa(i), Topic: "orders/create", ShopDomain: shop.Domain, APIVersion: "2026-10", Payload: []byte(`{}`)}})
			}
		}
		if _, err := st.IngestEvents(ctx, items); err != nil {
			t.Fatal(err)
		}
		if err := storetest.IngestStorefront(ctx, st, []store.StorefrontBatch{{ShopID: shop.ID, Events: events}}); err != nil {
			t.Fatal(err)
		}
	}
}

// apiImpactStep is one step of GET /api/impact.
type apiImpactStep struct {
	Funnel, Device, From, To, Verdict string
	BeforeEntering                    int64 `json:"before_entering"`
	AfterEntering                     int64 `json:"after_entering"`
	Tested                            bool
	MonthlyEffect                     string `json:"monthly_effect"`
}

// apiImpactBody is GET /api/impact's answer, as far as the tests read it.
type apiImpactBody struct {
	Window struct {
		Days     float64
		FullWeek bool `json:"full_week"`
	}
	Overlapping []apiChange
	Storefront  bool
	Tested      int
	Steps       []apiImpactStep
}

// step finds the step into to of funnel f for device d.
func (b apiImpactBody) step(t *testing.T, f, d, to string) apiImpactStep {
	t.Helper()
	for _, s := range b.Steps {
		if s.Funnel == f && s.Device == d && s.To == to {
			return s
		}
	}
	t.Fatalf("no step %s/%s/%s in %+v", f, d, to, b.Steps)
	return apiImpactStep{}
}

// TestImpactScenario seeds two weeks before and after a change after which
// payment completion on mobile halves while desktop stays put: the
// payment step is worse on mobile and no clear change on desktop, the
// other mobile steps (every shopper reached payment) no clear change; a
// shopper who straddles the change counts in neither window; a second
// change three days later is flagged as overlapping and one 18 days before
// is not. Another shop's token gets a 404, bad input a 400.
func TestImpactScenario(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shopDomain, other = "impact.myshopify.com", "impact-other.myshopify.com"
		shop := h.install(shopDomain)
		h.install(other)
		now := h.clock.Now()
		at := now.Add(-15 * 24 * time.Hour).Truncate(time.Hour)
		// Per device: 84 of 120 completing against 36 of 120 is far past
		// any doubt, and 120 is four times funnel.MinShoppers.
		const perWindow = 120
		var shoppers []impactShopper
		for i := range perWindow {
			offset := time.Duration(i) * (14 * 24 * time.Hour / perWindow)
			for _, phone := range []bool{true, false} {
				before := i%10 < 7 // 70% complete before, either device
				after := before
				if phone {
					after = i%10 < 3 // 30% on mobile after
				}
				shoppers = append(shoppers,
					impactShopper{at: at.Add(-14*24*time.Hour + offset + time.Hour), phone: phone, completed: before},
					impactShopper{at: at.Add(offset + time.Hour), phone: phone, completed: after})
			}
		}
		// One mobile shopper starts before the change and orders after it.
		shoppers = append(shoppers, impactShopper{at: at.Add(-30 * time.Minute), last: at.Add(30 * time.Minute), phone: true, completed: true})
		// And one three weeks before it, outside both windows.
		shoppers = append(shoppers, impactShopper{at: at.Add(-21 * 24 * time.Hour), phone: true})
		seedImpactShoppers(t, st, shop, shoppers)

		record := func(desc string, when time.Time) int64 {
			t.Helper()
			resp, body := h.api(http.MethodPost, "/api/changes", shopDomain, map[string]any{"description": desc, "kind": "theme_published", "at": when.Format(time.RFC3339)})
			var c apiChange
			if err := json.Unmarshal(body, &c); resp.StatusCode != http.StatusCreated || err != nil {
				t.Fatalf("POST change: %d %s", resp.StatusCode, body)
			}
			return c.ID
		}
		id := record("New checkout theme", at)
		record("Free shipping banner", at.Add(3*24*time.Hour))
		record("Old sale", at.Add(-18*24*time.Hour))

		resp, body := h.api(http.MethodGet, "/api/impact?change="+strconv.FormatInt(id, 10), shopDomain, nil)
		var im apiImpactBody
		if err := json.Unmarshal(body, &im); resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("GET /api/impact: %d %s", resp.StatusCode, body)
		}
		if im.Window.Days != 14 || !im.Window.FullWeek {
			t.Fatalf("window %+v", im.Window)
		}
		if len(im.Overlapping) != 1 || im.Overlapping[0].Description != "Free shipping banner" {
			t.Fatalf("overlapping %+v", im.Overlapping)
		}
		pay := im.step(t, "cart", "mobile", "completed")
		if pay.Verdict != "worse" || pay.BeforeEntering != perWindow || pay.AfterEntering != perWindow || pay.MonthlyEffect[0] != '-' {
			t.Fatalf("mobile payment: %+v", pay)
		}
		if d := im.step(t, "cart", "desktop", "completed"); d.Verdict != "no_clear_change" || !d.Tested {
			t.Fatalf("desktop payment: %+v", d)
		}
		for _, to := range []string{"checkout_started", "contact_submitted", "address_submitted", "payment_reached"} {
			if s := im.step(t, "cart", "mobile", to); s.Verdict != "no_clear_change" {
				t.Fatalf("mobile %s: %+v", to, s)
			}
		}
		if all := im.step(t, "cart", "", "completed"); all.BeforeEntering != 2*perWindow {
			t.Fatalf("all devices: %+v (the straddling shopper counts in neither window)", all)
		}
		if !im.Storefront {
			t.Fatal("the shop has visits: the storefront steps are judged too")
		}
		if s := im.step(t, "storefront", "mobile", "viewed_product"); s.Verdict == "improved" || s.Verdict == "worse" {
			t.Fatalf("storefront mobile: %+v", s)
		}

		// The page says it in words.
		resp, page := h.get("/changes/" + strconv.FormatInt(id, 10) + "?shop=" + shopDomain + "&id_token=" + h.sessionToken(shopDomain))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("impact page: %d %s", resp.StatusCode, page)
		}
		for _, want := range []string{"Did it work? New checkout theme", `data-verdict="worse"`, "Free shipping banner", "Benjamini–Hochberg"} {
			if !strings.Contains(string(page), want) {
				t.Fatalf("the page lacks %q", want)
			}
		}

		for path, code := range map[string]int{
			"/api/impact?change=" + strconv.FormatInt(id, 10) + "&weeks=9": http.StatusBadRequest,
			"/api/impact?change=abc":   http.StatusBadRequest,
			"/api/impact":              http.StatusBadRequest,
			"/api/impact?change=99999": http.StatusNotFound,
		} {
			if resp, body := h.api(http.MethodGet, path, shopDomain, nil); resp.StatusCode != code || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, code)
			}
		}
		if resp, body := h.api(http.MethodGet, "/api/impact?change="+strconv.FormatInt(id, 10), other, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another shop's change: %d %s", resp.StatusCode, body)
		}
	})
}
