package funnel

import "strings"

// DisplayMoney writes an amount in minor units (hundredths) with its
// currency as the merchant reads it: the one rule for the report page, the
// lists and the alerts. Digits are grouped by thousands, with two decimals;
// the currency is a symbol where the symbol names that currency alone
// ("$1,234.50" is USD, "CA$", "A$" and "NZ$" the other dollars, "€1,234.50",
// "£1,234.50"), else its code after the amount ("1,234.50 SEK"), so that a
// digest summing carts in two currencies never shows two figures alike.
// Without a currency it is the amount alone.
func DisplayMoney(minor int64, currency string) string {
	plain := FormatMoney(minor)
	sign := ""
	if strings.HasPrefix(plain, "-") {
		sign, plain = "-", plain[1:]
	}
	whole, cents, _ := strings.Cut(plain, ".")
	var b strings.Builder
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	amount := b.String() + "." + cents
	if symbol := currencySymbol(currency); symbol != "" {
		return sign + symbol + amount
	}
	if currency == "" {
		return sign + amount
	}
	return sign + amount + " " + currency
}

// currencySymbol is the symbol DisplayMoney writes for a currency, "" for
// one written by its code.
func currencySymbol(currency string) string {
	switch currency {
	case "USD":
		return "$"
	case "CAD":
		return "CA$"
	case "AUD":
		return "A$"
	case "NZD":
		return "NZ$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	}
	return ""
}

// ValueCurrency is the currency a session's value is shown in: the one its
// events named, else the shop's (a payload without a currency is in the
// shop's own).
func ValueCurrency(session, shop string) string {
	if session != "" {
		return session
	}
	return shop
}
