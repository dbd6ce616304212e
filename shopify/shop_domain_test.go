package shopify_test

import (
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestValidShopDomain(t *testing.T) {
	good := []string{"example.myshopify.com", "a.myshopify.com", "Example-Shop-2.myshopify.com", "0shop.myshopify.com"}
	for _, s := range good {
		if !shopify.ValidShopDomain(s) {
			t.Errorf("ValidShopDomain(%q) = false, want true", s)
		}
	}
	bad := []string{
		"", "evil.com", "myshopify.com", ".myshopify.com", "-x.myshopify.com", "x.myshopify.com.evil.com",
		"%0ax.myshopify.com", "\nx.myshopify.com", "x.myshopify.com\n", "x.myshopify.com/", "https://x.myshopify.com",
		"x.myshopify.com:443", "a.b.myshopify.com", "x_y.myshopify.com", "x.myshopify.co", "x.MYSHOPIFY.COM.evil",
		"evil.example/x?myshopify.com", "x y.myshopify.com", "admin.shopify.com/store/x", "x.myshopifyXcom",
		"ex\u00e4mple.myshopify.com", "x.myshopify.com\x00", strings.Repeat("a", 300) + ".myshopify.com",
	}
	for _, s := range bad {
		if shopify.ValidShopDomain(s) {
			t.Errorf("ValidShopDomain(%q) = true, want false", s)
		}
	}
}
