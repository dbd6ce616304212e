package shopify

import (
	"regexp"
	"strings"
)

// shopDomainPattern is Shopify's documented shop hostname rule, anchored at
// both ends so that "x.myshopify.com.evil.com" and embedded newlines fail.
var shopDomainPattern = regexp.MustCompile(`\A[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com\z`)

// ValidShopDomain reports whether shop is a bare myshopify.com hostname such
// as "example.myshopify.com" (no scheme, port, path or other suffix).
func ValidShopDomain(shop string) bool {
	return len(shop) <= 255 && shopDomainPattern.MatchString(shop)
}

// NormalizeShopDomain returns a shop domain as Shopify writes it, in lower
// case: host names are case-insensitive, so "My-Store.myshopify.com" and
// "my-store.myshopify.com" are one shop, which the app keeps and compares in
// this form.
func NormalizeShopDomain(shop string) string {
	return strings.ToLower(strings.TrimSpace(shop))
}
