package shopify_test

import (
	"path/filepath"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
)

// TestAllFixturesCovered makes sure a new fixture file does not go untested.
func TestAllFixturesCovered(t *testing.T) {
	dir := testkit.FixtureDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found in %s: %v", dir, err)
	}
	for _, f := range files {
		if _, ok := fixtureTopics()[filepath.Base(f)]; !ok {
			t.Errorf("fixture %s has no entry in fixtureTopics", filepath.Base(f))
		}
	}
}

// fixtureTopics maps each fixture to the topic it is a payload of.
func fixtureTopics() map[string]string {
	return map[string]string{
		"app_scopes_update.json": "app/scopes_update",
		"app_uninstalled.json":   "app/uninstalled",
		"carts_create.json":      "carts/create",
		"carts_update.json":      "carts/update",
		"checkouts_create.json":  "checkouts/create",
		"checkouts_create.rest-abandoned-checkout-fixture.json": "checkouts/create",
		"checkouts_delete.json":                                 "checkouts/delete",
		"checkouts_update.json":                                 "checkouts/update",
		"customers_data_request.json":                           "customers/data_request",
		"customers_redact.json":                                 "customers/redact",
		"orders_create.json":                                    "orders/create",
		"orders_create.rest-order-fixture.json":                 "orders/create",
		"shop_redact.json":                                      "shop/redact",
		"themes_publish.json":                                   "themes/publish",
		"products_update.json":                                  "products/update",
		"discounts_create.json":                                 "discounts/create",
		"discounts_update.json":                                 "discounts/update",
		"discounts_delete.json":                                 "discounts/delete",
	}
}
