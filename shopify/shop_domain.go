package shopify

import "regexp"

// shopDomainPattern is Shopify's documented shop hostname rule, anchored at
// both ends so that "x.myshopify.com.evil.com" and embedded newlines fail.
var shopDomainPattern = regexp.MustCompile(`\A[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com\z`)

// ValidShopDomain reports whether shop is a bare myshopify.com hostname such
// as "example.myshopify.com" (no scheme, port, path or other suffix).
func ValidShopDomain(shop string) bool {
	return len(shop) <= 255 && shopDomainPattern.MatchString(shop)
}
