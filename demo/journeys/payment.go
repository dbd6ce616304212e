package journeys

import (
	"encoding/json"
	"hash/fnv"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// gatewayIndex is the payment of s's order, an index of gateways (the
// order webhook's payment_gateway_names) and of payments (the pixel's
// transaction): both name the same one.
func gatewayIndex(s *Shopper) int { return s.N % 3 }

// payments are the transactions' gateway and payment method, in the order
// of gateways.
var payments = [3]struct{ Gateway, Name, Type string }{
	{"shopify_payments", "Visa", "creditCard"}, {"paypal", "PayPal", "offsite"}, {"shop_pay", "Shop Pay", "wallet"},
}

// paymentErrorChance is the percentage of shoppers who see a payment
// error at the payment step, by device and by whether they still order
// (a declined card tried again): phones fail more, so that the demo's
// payment section shows friction on mobile.
func paymentErrorChance(device funnel.Device, orders bool) int {
	switch {
	case device == funnel.DeviceMobile && !orders:
		return 45
	case device == funnel.DeviceMobile:
		return 12
	case !orders:
		return 12
	}
	return 4
}

// paymentRoll is s's draw for a payment error, 0 to 99, from a hash of
// its checkout token rather than the visit stream, so that the errors
// change no other draw of the demo.
func paymentRoll(s *Shopper) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte("payment\x00" + s.Checkout))
	return int(h.Sum32() % 100)
}

// paymentTrouble adds the payment step's events of a shopper who reached
// it, before the completion the caller adds: for one who leaves there, by
// chance a submitted payment and the error that declined it; for one who
// orders (not by express checkout), by chance an error before the card
// that worked.
func (w *walk) paymentTrouble(s *Shopper, total int64) {
	if s.Express || s.Stop < funnel.StagePaymentReached {
		return
	}
	orders := s.Stop == funnel.StageCompleted
	if paymentRoll(s) >= paymentErrorChance(w.v.Device.Kind, orders) {
		return
	}
	if !orders {
		w.at = s.At[funnel.StagePaymentReached].Add(40 * time.Second)
		w.emit(funnel.EventPaymentInfoSubmitted, false, checkoutData(s, total))
		w.at = w.at.Add(5 * time.Second)
	} else {
		w.at = s.At[funnel.StageCompleted].Add(-50 * time.Second)
	}
	w.emit(funnel.EventAlertDisplayed, false, mustJSON(map[string]any{"alert": map[string]string{
		"type": "PAYMENT_ERROR", "message": "Your card was declined. Try again or use a different payment method.",
		"target": "$.cart.payment", "value": "",
	}}))
}

// completedData is checkout_completed's data: the checkout with its
// transaction, the order's gateway and payment method.
func completedData(s *Shopper, total int64) []byte {
	var d map[string]map[string]any
	if err := json.Unmarshal(checkoutData(s, total), &d); err != nil {
		panic(err) // checkoutData always encodes an object of a checkout
	}
	p := payments[gatewayIndex(s)]
	d["checkout"]["transactions"] = []any{map[string]any{
		"gateway": p.Gateway, "amount": usd(total), "paymentMethod": map[string]string{"name": p.Name, "type": p.Type},
	}}
	return mustJSON(d)
}
