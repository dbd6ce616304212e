package funnel

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDisplayMoney(t *testing.T) {
	for _, tt := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{0, "USD", "$0.00"},
		{5, "USD", "$0.05"},
		{123450, "USD", "$1,234.50"},
		{123456750, "USD", "$1,234,567.50"},
		{12345, "USD", "$123.45"},
		{100000, "USD", "$1,000.00"},
		{-1200, "GBP", "-£12.00"},
		{99999, "SEK", "999.99 SEK"},
		{123450, "SEK", "1,234.50 SEK"},
		{123450, "EUR", "€1,234.50"},
		{123450, "CAD", "CA$1,234.50"},
		{123450, "AUD", "A$1,234.50"},
		{123450, "NZD", "NZ$1,234.50"},
		{0, "", "0.00"},
		{123450, "", "1,234.50"},
		{-5, "", "-0.05"},
		{math.MaxInt64, "USD", "$92,233,720,368,547,758.07"},
		{math.MinInt64, "JPY", "-92,233,720,368,547,758.08 JPY"},
	} {
		if got := DisplayMoney(tt.minor, tt.currency); got != tt.want {
			t.Errorf("DisplayMoney(%d, %q) = %q, want %q", tt.minor, tt.currency, got, tt.want)
		}
	}
}

// TestDisplayMoneyLaws: over random amounts and currencies, the figure
// reads back as the amount (grouping and currency aside), its groups are
// of three digits, and two currencies never write the same figure.
func TestDisplayMoneyLaws(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	currencies := []string{"USD", "CAD", "AUD", "NZD", "EUR", "GBP", "SEK", "CHF", "JPY", ""}
	for range 5000 {
		minor := rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			minor = -minor
		}
		seen := map[string]string{}
		for _, cur := range currencies {
			got := DisplayMoney(minor, cur)
			if other, dup := seen[got]; dup {
				t.Fatalf("DisplayMoney(%d) is %q for both %q and %q", minor, got, other, cur)
			}
			seen[got] = cur
			bare := strings.TrimSuffix(got, " "+cur)
			if sym := currencySymbol(cur); sym != "" {
				bare = strings.Replace(bare, sym, "", 1)
			}
			neg := strings.HasPrefix(bare, "-")
			groups := strings.Split(strings.Split(strings.TrimPrefix(bare, "-"), ".")[0], ",")
			for i, g := range groups {
				if len(g) > 3 || i > 0 && len(g) != 3 || g == "" {
					t.Fatalf("DisplayMoney(%d, %q) = %q: digit groups %v", minor, cur, got, groups)
				}
			}
			back, err := ParseMoney(strings.ReplaceAll(bare, ",", ""))
			if err != nil && minor != math.MinInt64 || err == nil && back != minor || neg != (minor < 0) {
				t.Fatalf("DisplayMoney(%d, %q) = %q reads back as %d, %v", minor, cur, got, back, err)
			}
		}
	}
}
