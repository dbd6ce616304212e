package shopify_test

import (
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestValidMoney(t *testing.T) {
	for _, in := range []string{"0", "0.00", "-0.00", "19.99", "421.88", "1.5", "-0.5", "1.0049999", "92233720368547758.07"} {
		if !shopify.ValidMoney(in) {
			t.Errorf("ValidMoney(%q) = false", in)
		}
	}
	for _, in := range []string{"", "-", ".", "1.", ".5", "-.5", "+1", " 1", "1 ", "1e3", "1,00", "12,000.00", "abc",
		"1.2.3", "0x10", "--1", "NaN", "Infinity", "１", "1234567890123456789", "1.1234567890"} {
		if shopify.ValidMoney(in) {
			t.Errorf("ValidMoney(%q) = true", in)
		}
	}
}
