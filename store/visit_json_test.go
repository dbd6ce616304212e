package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestVisitJSONIsEncodingJSONs checks that the visits' summaries and the
// raw events, which the ingest encodes with jsonv1 (the v2 engine under
// encoding/json's rules), are the bytes encoding/json writes, and decode
// back to the same visit either way: rows written before and after the
// switch read alike.
func TestVisitJSONIsEncodingJSONs(t *testing.T) {
	at := time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)
	var evs []funnel.StorefrontEvent
	add := func(e funnel.StorefrontEvent) {
		e.ID, e.ClientID, e.At, e.Host = fmt.Sprintf("e%d", len(evs)), "c1", at.Add(time.Duration(len(evs))*time.Minute), "x.myshopify.com"
		e.UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) <&>"
		evs = append(evs, e)
	}
	add(funnel.StorefrontEvent{Name: funnel.EventPageViewed, Path: "/?q=<b>&x=1"})
	for i := range 3 {
		add(funnel.StorefrontEvent{Name: funnel.EventProductViewed, Path: fmt.Sprintf("/products/p%d", i), ProductID: fmt.Sprintf("p%d", i),
			ProductTitle: "Mug \u2028 «ü»"})
	}
	add(funnel.StorefrontEvent{Name: funnel.EventProductAddedToCart, Path: "/products/p1", ProductID: "p1", ProductTitle: "Mug",
		Quantity: 2, Value: 1500, Currency: "USD", CartToken: "cart-1"})
	add(funnel.StorefrontEvent{Name: funnel.EventCheckoutCompleted, Path: "/checkouts/cn/x", CheckoutToken: "chk-1", Gateway: "paypal",
		PaymentMethod: "wallet"})
	add(funnel.StorefrontEvent{Name: funnel.EventAlertDisplayed, Path: "/checkouts/cn/x", CheckoutToken: "chk-1", AlertType: "PaymentError"})
	visits := funnel.Fold(nil, evs)
	if len(visits) != 1 || len(visits[0].Products) != 3 || visits[0].PaymentFrom.IsZero() {
		t.Fatalf("the sample folds into %d visits, not one with products and a payment: %+v", len(visits), visits)
	}
	for _, x := range []any{visits[0], evs[0], evs[len(evs)-1], funnel.Visit{}} {
		want, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jsonv1.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("jsonv1 writes\n%s\nencoding/json\n%s", got, want)
		}
	}
	want, _ := json.Marshal(visits[0])
	var a, b funnel.Visit
	if err := json.Unmarshal(want, &a); err != nil {
		t.Fatal(err)
	}
	if err := jsonv1.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("jsonv1 reads %+v\nencoding/json %+v", b, a)
	}
}
