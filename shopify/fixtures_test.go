package shopify_test

import (
	"os"
	"path/filepath"
	"testing"
)

// fixtureDir is where the webhook samples live, relative to this package's
// directory: the repository's own testdata/shopify.
const fixtureDir = "../testdata/shopify"

// fixture returns the bytes of a fixture and fails (never skips) when it is
// missing.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("fixture %s: %v (the shared fixtures must be at %s)", name, err, fixtureDir)
	}
	return b
}

// TestAllFixturesCovered makes sure a new fixture file does not go untested.
func TestAllFixturesCovered(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found in %s: %v", fixtureDir, err)
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
	}
}
