package shopify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

// TestParseProduct reads the fixture's variants and refuses a product
// without an id, a variant without one, a price not of Shopify's money
// shape and more variants than Shopify allows.
func TestParseProduct(t *testing.T) {
	p, err := shopify.ParseProduct(testkit.Fixture(t, "products_update.json"))
	if err != nil || p.ID != 788032119674292922 || p.Title != "Canvas Tote Bag" || len(p.Variants) != 1 ||
		p.Variants[0].ID != 642667041472713922 || p.Variants[0].Price != "19.00" || p.UpdatedAt.IsZero() {
		t.Fatalf("ParseProduct = %+v, %v", p, err)
	}
	many := `{"id": 1, "variants": [` + strings.TrimSuffix(strings.Repeat(`{"id": 2, "price": "1.00"},`, shopify.MaxProductVariants+1), ",") + `]}`
	for name, body := range map[string]string{
		"no id":             `{"title": "x", "variants": []}`,
		"variant no id":     `{"id": 1, "variants": [{"price": "1.00"}]}`,
		"comma price":       `{"id": 1, "variants": [{"id": 2, "price": "1,00"}]}`,
		"empty price":       `{"id": 1, "variants": [{"id": 2, "price": ""}]}`,
		"number price":      `{"id": 1, "variants": [{"id": 2, "price": 1.5}]}`,
		"too many variants": many,
	} {
		if _, err := shopify.ParseProduct([]byte(body)); !errors.Is(err, shopify.ErrBadPayload) {
			t.Errorf("%s: %v, want ErrBadPayload", name, err)
		}
	}
}

// TestParseDiscount reads the three discount fixtures and refuses one
// without admin_graphql_api_id.
func TestParseDiscount(t *testing.T) {
	for name, want := range map[string]string{"discounts_create.json": "ACTIVE", "discounts_update.json": "EXPIRED", "discounts_delete.json": ""} {
		d, err := shopify.ParseDiscount(testkit.Fixture(t, name))
		if err != nil || d.AdminGraphQLAPIID != "gid://shopify/DiscountAutomaticNode/1057371300" || d.Status != want {
			t.Errorf("%s: %+v, %v", name, d, err)
		}
	}
	if d, _ := shopify.ParseDiscount(testkit.Fixture(t, "discounts_delete.json")); d.DeletedAt.IsZero() {
		t.Errorf("the deletion has no deleted_at")
	}
	if _, err := shopify.ParseDiscount([]byte(`{"title": "x"}`)); !errors.Is(err, shopify.ErrBadPayload) {
		t.Errorf("no id: %v, want ErrBadPayload", err)
	}
}
