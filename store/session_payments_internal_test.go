package store

import (
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestPaymentTokensOfRefold checks which tokens a refold hands to the
// payment step: none when a visit only grew, the new token when it gained
// one, every token of the visit when its payment facts changed, and the
// tokens of a visit that went.
func TestPaymentTokensOfRefold(t *testing.T) {
	at := time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)
	v := funnel.Visit{ClientID: "c", Start: at, End: at.Add(time.Minute), FirstID: "e0", Device: funnel.DeviceMobile,
		CartTokens: []string{"cart-1"}}
	grown := v
	grown.End = at.Add(9 * time.Minute)
	withCheckout := grown
	withCheckout.CheckoutTokens = []string{"chk-1"}
	submitted := withCheckout
	submitted.Stages[funnel.StorefrontPaymentSubmitted] = at.Add(8 * time.Minute)
	otherDevice := v
	otherDevice.Device = funnel.DeviceDesktop
	stored := func(v funnel.Visit) []visitRow { return []visitRow{{ID: 7, ShopID: 3, folded: v}} }
	for _, c := range []struct {
		name  string
		drop  []visitRow
		write []funnel.Visit
		want  []string
	}{
		{"grew by a page view", stored(v), []funnel.Visit{grown}, nil},
		{"gained a checkout token", stored(grown), []funnel.Visit{withCheckout}, []string{"chk-1"}},
		{"submitted payment", stored(withCheckout), []funnel.Visit{submitted}, []string{"cart-1", "chk-1"}},
		{"its device changed", stored(v), []funnel.Visit{otherDevice}, []string{"cart-1"}},
		{"new", nil, []funnel.Visit{v}, []string{"cart-1"}},
		{"merged away", stored(withCheckout), nil, []string{"cart-1", "chk-1"}},
	} {
		var got []string
		for _, ts := range paymentTokensOfRefold(3, c.drop, c.write) {
			if ts.shop != 3 {
				t.Errorf("%s: token %q of shop %d, want shop 3", c.name, ts.token, ts.shop)
			}
			got = append(got, ts.token)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: tokens %q, want %q", c.name, got, c.want)
		}
	}
}

// TestSameChildren checks when a rewritten visit keeps its tokens and
// products rows: a page view that is no product's changes neither; a
// product's view, a token or a payment fact changes them.
func TestSameChildren(t *testing.T) {
	at := time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)
	v := funnel.Visit{ClientID: "c", Start: at, End: at.Add(time.Minute), FirstID: "e0", Device: funnel.DeviceMobile,
		CartTokens: []string{"cart-1"}, Products: map[string]funnel.ProductActivity{"p1": {Title: "Mug", Views: []string{"e1"}}}}
	grown := v
	grown.End = at.Add(9 * time.Minute)
	viewed := grown
	viewed.Products = map[string]funnel.ProductActivity{"p1": {Title: "Mug", Views: []string{"e1", "e5"}}}
	tokened := grown
	tokened.CheckoutTokens = []string{"chk-1"}
	paid := grown
	paid.Stages[funnel.StorefrontCompleted] = at.Add(8 * time.Minute)
	if !sameChildren(v, grown) {
		t.Error("a visit that grew by a page view rewrites its tokens and products")
	}
	for name, w := range map[string]funnel.Visit{"a product view": viewed, "a token": tokened, "a completion": paid} {
		if sameChildren(v, w) {
			t.Errorf("a visit that gained %s keeps its old tokens and products", name)
		}
	}
}
