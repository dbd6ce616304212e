package shopify

import "regexp"

// moneyPattern is the shape of Shopify's money amounts: decimal strings such
// as "19.99", "0" or "-5.00". Converting them to minor units is the
// funnel's business (funnel.ParseMoney); the protocol only checks the shape.
var moneyPattern = regexp.MustCompile(`\A-?[0-9]{1,18}(\.[0-9]{1,9})?\z`)

// ValidMoney reports whether s has the shape of a Shopify money amount.
func ValidMoney(s string) bool { return moneyPattern.MatchString(s) }
