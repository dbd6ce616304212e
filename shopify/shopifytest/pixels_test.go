package shopifytest_test

import (
	"testing"

	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

const version = "2026-10"

// TestPixelsPerShopAndScopesPerToken: each shop has its own pixel; a token
// keeps the scopes granted with it, so a later change of GrantScopes does
// not widen it; a queued user error answers once and changes nothing.
func TestPixelsPerShopAndScopesPerToken(t *testing.T) {
	s := shopifytest.NewServer(t, key, secret)
	narrow := s.IssueAccessToken(shop) // read_orders
	s.GrantScopes = "write_pixels,read_customer_events"
	wide := s.IssueAccessToken(shop)
	other := s.IssueAccessToken("other.myshopify.com")

	if code, msg := shopifytest.RawPixelCreate(t, s, shop, narrow, version, `{"accountID":"a"}`); code != "" || msg != "" {
		t.Errorf("a read_orders token: %q %q, want no user error (the refusal is a top-level ACCESS_DENIED)", code, msg)
	}
	if _, _, ok := s.WebPixel(shop); ok {
		t.Fatal("a read_orders token made a pixel")
	}
	if code, _ := shopifytest.RawPixelCreate(t, s, shop, wide, version, `{"accountID":"a"}`); code != "" {
		t.Fatalf("create: %s", code)
	}
	if code, _ := shopifytest.RawPixelCreate(t, s, shop, wide, version, `{"accountID":"b"}`); code != "TAKEN" {
		t.Errorf("a second create: %q, want TAKEN", code)
	}
	if code, _ := shopifytest.RawPixelCreate(t, s, "other.myshopify.com", other, version, `{"accountID":"c"}`); code != "" {
		t.Errorf("the other shop's create: %q", code)
	}
	idA, setA, _ := s.WebPixel(shop)
	idC, setC, _ := s.WebPixel("other.myshopify.com")
	if idA == idC || setA != `{"accountID":"a"}` || setC != `{"accountID":"c"}` {
		t.Errorf("pixels %s %s and %s %s, want one per shop", idA, setA, idC, setC)
	}

	s.DeletePixel(shop)
	s.PixelUserErrorNext("UNEXPECTED_ERROR", "Something went wrong.")
	if code, msg := shopifytest.RawPixelCreate(t, s, shop, wide, version, `{"accountID":"e"}`); code != "UNEXPECTED_ERROR" || msg != "Something went wrong." {
		t.Errorf("the queued error: %q %q", code, msg)
	}
	if _, _, ok := s.WebPixel(shop); ok {
		t.Error("the queued error made a pixel")
	}
	if code, _ := shopifytest.RawPixelCreate(t, s, shop, wide, version, `{"accountID":"e"}`); code != "" {
		t.Errorf("after the queued error: %q", code)
	}
	if n := s.Operations("webPixelCreate"); n != 6 {
		t.Errorf("Operations(webPixelCreate) = %d, want the 6 sent", n)
	}
}
