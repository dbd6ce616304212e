package shopify_test

import (
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestParseMoney(t *testing.T) {
	good := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"0.00", 0}, {"-0.00", 0}, {"19.99", 1999}, {"59.97", 5997}, {"421.88", 42188},
		{"1", 100}, {"1.5", 150}, {"-0.5", -50}, {"1.004", 100}, {"1.005", 101}, {"1.0049999", 100},
		{"-1.005", -101}, {"-1.004", -100}, {"0.995", 100}, {"31250.00", 3125000},
		{"92233720368547758.07", 9223372036854775807},
	}
	for _, tc := range good {
		got, err := shopify.ParseMoney(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	bad := []string{"", "-", ".", "1.", ".5", "-.5", "+1", " 1", "1 ", "1e3", "1,00", "12,000.00", "abc",
		"1.2.3", "0x10", "--1", "NaN", "Infinity", "１", "92233720368547758.08", "99999999999999999999"}
	for _, in := range bad {
		if got, err := shopify.ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, got)
		}
	}
}
