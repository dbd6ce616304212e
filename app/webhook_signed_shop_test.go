package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// dbState is every row of the app's own tables (River's and goose's aside),
// as text, by table: what a delivery that must change nothing is checked
// against. Tables named in except are left out.
func dbState(t *testing.T, st *store.Store, except ...string) map[string][]string {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if st.Dialect() == store.DialectPostgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	}
	ctx := t.Context()
	rows, err := st.DB().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "river") && !strings.HasPrefix(name, "goose") &&
			!strings.HasPrefix(name, "sqlite_") && !slices.Contains(except, name) {
			tables = append(tables, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	state := map[string][]string{}
	for _, table := range tables {
		rows, err := st.DB().QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		state[table] = []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if s, ok := v.([]byte); ok {
					v = string(s)
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			state[table] = append(state[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(state[table])
	}
	return state
}

// sameState fails the test when a table differs between two dbStates.
func sameState(t *testing.T, what string, before, after map[string][]string) {
	t.Helper()
	for table, rows := range before {
		if !slices.Equal(rows, after[table]) {
			t.Errorf("%s changed table %s:\nbefore %q\nafter  %q", what, table, rows, after[table])
		}
	}
}

// keptReason returns the reason of the kept delivery with that webhook id,
// failing the test when there is none.
func keptReason(t *testing.T, st *store.Store, webhookID string) (string, store.KeptDelivery) {
	t.Helper()
	kept, err := st.UnusableDeliveries(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kept {
		if k.Delivery.WebhookID == webhookID {
			return k.Reason, k
		}
	}
	t.Fatalf("no delivery %s kept with a reason", webhookID)
	return "", store.KeptDelivery{}
}

// uninstalledBody is an app/uninstalled payload of shop, as Shopify sends
// it: its myshopify domain in the body (the fixture, Shopify's sample,
// leaves it null).
func uninstalledBody(t *testing.T, shop string) []byte {
	return loadPayload(t, "app_uninstalled.json").with(t, map[string]any{"myshopify_domain": shop, "domain": shop}).bytes(t)
}

// complianceBody is a compliance fixture whose shop_domain is shop.
func complianceBody(t *testing.T, name, shop string) []byte {
	return []byte(strings.ReplaceAll(string(testkit.Fixture(t, name)), "{shop}.myshopify.com", shop))
}

// TestSignedBodyDecidesTheShop: for the topics whose signed body names a
// shop, an unsigned X-Shopify-Shop-Domain naming another makes the delivery
// unusable: answered 200, kept with the reason, nothing erased in either
// shop. Agreeing but for letter case, it is carried out.
func TestSignedBodyDecidesTheShop(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const header, body = "header-shop.myshopify.com", "body-shop.myshopify.com"
		victim := h.install(header)
		h.install(body)
		// The header shop has a customer a redaction would erase.
		co := loadPayload(t, "checkouts_create.json").with(t, map[string]any{"email": "john@example.com"})
		if resp, b := h.webhook("checkouts/create", header, "co-1", co.bytes(t)); !strings.Contains(string(b), "applied") {
			t.Fatalf("checkout: %d %s", resp.StatusCode, b)
		}

		noShop := loadPayload(t, "shop_redact.json").with(t, map[string]any{"shop_domain": ""}).bytes(t)
		cases := []struct {
			name, topic, reason string
			body                []byte
		}{
			{"app/uninstalled of another shop", "app/uninstalled", "X-Shopify-Shop-Domain", uninstalledBody(t, body)},
			{"app/uninstalled naming no shop", "app/uninstalled", "myshopify_domain", testkit.Fixture(t, "app_uninstalled.json")},
			{"shop/redact of another shop", "shop/redact", "X-Shopify-Shop-Domain", complianceBody(t, "shop_redact.json", body)},
			{"shop/redact naming no shop", "shop/redact", "shop_domain", noShop},
			{"customers/redact of another shop", "customers/redact", "X-Shopify-Shop-Domain", complianceBody(t, "customers_redact.json", body)},
			{"customers/data_request of another shop", "customers/data_request", "X-Shopify-Shop-Domain", complianceBody(t, "customers_data_request.json", body)},
		}
		before := dbState(t, st, "deliveries")
		for i, tc := range cases {
			id := fmt.Sprintf("mismatch-%d", i)
			resp, b := h.webhook(tc.topic, header, id, tc.body)
			var got struct{ Status string }
			_ = json.Unmarshal(b, &got)
			if resp.StatusCode != http.StatusOK || got.Status != "kept" {
				t.Errorf("%s: %d %s, want 200 kept", tc.name, resp.StatusCode, b)
				continue
			}
			reason, k := keptReason(t, st, id)
			if !strings.Contains(reason, tc.reason) {
				t.Errorf("%s: kept with reason %q, want it to name %s", tc.name, reason, tc.reason)
			}
			if strings.Contains(tc.topic, "redact") || strings.Contains(tc.topic, "data_request") {
				if len(k.Delivery.Payload) != 0 {
					t.Errorf("%s: a compliance payload was kept", tc.name)
				}
			}
		}
		sameState(t, "deliveries for another shop than the header's", before, dbState(t, st, "deliveries"))
		if s, err := st.ShopByDomain(t.Context(), header); err != nil || !s.Installed() || s.Tokens.AccessToken == "" {
			t.Fatalf("the header's shop lost its tokens: %+v %v", s, err)
		}
		if sess, err := st.SessionByKey(t.Context(), victim.ID, "eeafa272cebfd4b22385bc4b645e762c"); err != nil || sess.Email != "john@example.com" {
			t.Fatalf("the header's shop's customer was erased: %q %v", sess.Email, err)
		}

		// The same shop in other letters is the same shop.
		resp, b := h.webhook("app/uninstalled", header, "agree-1", uninstalledBody(t, "Header-Shop.MyShopify.com"))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "kept") {
			t.Fatalf("app/uninstalled naming the header's shop: %d %s", resp.StatusCode, b)
		}
		if s, _ := st.ShopByDomain(t.Context(), header); s.Installed() || s.Tokens.AccessToken != "" {
			t.Fatalf("app/uninstalled naming the header's shop did not uninstall it")
		}
		if s, _ := st.ShopByDomain(t.Context(), body); !s.Installed() {
			t.Fatalf("the other shop was uninstalled")
		}
	})
}
