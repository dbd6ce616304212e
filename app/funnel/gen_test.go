package funnel

import "time"

// chooser returns a number in [0, n). Generators draw every decision from
// one, so the property tests (math/rand) and the fuzz target (raw bytes)
// share them.
type chooser func(n int) int

func oneOf[T any](pick chooser, xs ...T) T { return xs[pick(len(xs))] }

// genTime draws from a handful of instants so that ties are common, in
// several locations, sometimes zero, sometimes with a monotonic reading.
func genTime(pick chooser, mono time.Time) time.Time {
	if pick(12) == 0 {
		return time.Time{}
	}
	t := t0.Add(time.Duration(pick(6)) * 7 * time.Minute)
	switch pick(4) {
	case 1:
		t = t.In(time.FixedZone("EST", -5*3600))
	case 2:
		t = t.In(time.FixedZone("IST", 5*3600+1800))
	case 3:
		// Same instant as above only by accident; what matters is that
		// it carries a monotonic reading.
		t = mono.Add(time.Duration(pick(6)) * 7 * time.Minute)
	}
	return t
}

func genTimePtr(pick chooser, mono time.Time) *time.Time {
	if pick(3) == 0 {
		return nil
	}
	t := genTime(pick, mono)
	return &t
}

func genLineItems(pick chooser) []LineItem {
	switch pick(4) {
	case 0:
		return nil
	case 1:
		return []LineItem{}
	case 2:
		return []LineItem{{Title: oneOf(pick, "Mug", "Tee"), Quantity: 1 + pick(2)}}
	}
	return []LineItem{{Title: "Mug", Quantity: 1}, {Title: oneOf(pick, "Tee", "Cap"), Quantity: 1 + pick(3)}}
}

// genEvent draws one event of a single journey: checkouts and orders
// usually share the cart token, and a few carry a second token so that the
// token tie-break is exercised.
func genEvent(pick chooser, mono time.Time) Event {
	e := Event{
		Kind:      oneOf(pick, KindCart, KindCheckout, KindOrder, KindCheckout, KindCart, "bogus"),
		CartToken: oneOf(pick, "cart-a", "cart-a", "cart-a", "", "cart-b"),
		CreatedAt: genTime(pick, mono),
		UpdatedAt: genTime(pick, mono),
		Value:     int64(oneOf(pick, 0, 1999, 2500, 12000, -5)),
		Currency:  oneOf(pick, "USD", "USD", "EUR", ""),
		ItemCount: pick(4),
		LineItems: genLineItems(pick),
	}
	if e.Kind != KindCart {
		e.CheckoutToken = oneOf(pick, "chk-1", "chk-1", "chk-2", "")
	}
	e.Email = oneOf(pick, "", "a@example.com", "b@example.com")
	e.Phone = oneOf(pick, "", "+15550100")
	e.HasShippingAddress = pick(2) == 0
	e.HasBillingAddress = pick(2) == 0
	e.RequiresShipping = pick(3) != 0
	e.HasShippingLine = pick(2) == 0
	if pick(3) == 0 {
		e.CompletedAt = genTimePtr(pick, mono)
	}
	e.Country = oneOf(pick, "", "US", "DE")
	e.LandingSite = oneOf(pick, "", "/products/mug")
	e.ReferringSite = oneOf(pick, "", "https://google.com")
	e.SourceName = oneOf(pick, "", "web", "pos")
	e.Gateway = oneOf(pick, "", "stripe")
	e.RecoveryURL = oneOf(pick, "", "https://shop/recover?key=1")
	e.Returning = pick(2) == 0
	e.ReturningKnown = pick(2) == 0
	if pick(2) == 0 {
		nearTwin(pick, &e)
	}
	return e
}

// nearTwin makes e a snapshot that differs from a fixed one in a single
// content or details field, at one instant: with independent fields such
// twins are too rare to test each field's part in the tie-break.
func nearTwin(pick chooser, e *Event) {
	e.CreatedAt, e.UpdatedAt = t0, t1
	e.Value, e.Currency, e.ItemCount, e.LineItems = 1000, "USD", 1, []LineItem{{"Mug", 1}}
	e.Email, e.Phone, e.Country, e.LandingSite, e.ReferringSite = "a@example.com", "+1", "US", "/l", "https://r"
	e.SourceName, e.Gateway, e.RecoveryURL, e.Returning, e.ReturningKnown = "web", "stripe", "https://u", false, true
	switch pick(16) {
	case 0:
		e.Value = 2000
	case 1:
		e.Currency = "EUR"
	case 2:
		e.ItemCount = 2
	case 3:
		e.LineItems = []LineItem{{"Mug", 2}}
	case 4:
		e.LineItems = []LineItem{{"Cap", 1}}
	case 5:
		e.LineItems = []LineItem{{"Mug", 1}, {"Cap", 1}}
	case 6:
		e.Email = "b@example.com"
	case 7:
		e.Phone = "+2"
	case 8:
		e.Country = "DE"
	case 9:
		e.LandingSite = "/m"
	case 10:
		e.ReferringSite = "https://s"
	case 11:
		e.SourceName = "pos"
	case 12:
		e.Gateway = "paypal"
	case 13:
		e.RecoveryURL = "https://v"
	case 14:
		e.Returning = true
	case 15:
		e.ReturningKnown = false
	}
}

// genSession draws a session field by field, not through events, so that it
// may be anything a database row could hold, canonical or not.
func genSession(pick chooser, mono time.Time) Session {
	s := Session{
		Key:            oneOf(pick, "", "cart-a", "stale"),
		CartToken:      oneOf(pick, "", "cart-a", "cart-b"),
		CheckoutToken:  oneOf(pick, "", "chk-1", "chk-2"),
		StartedAt:      genTime(pick, mono),
		LastActivity:   genTime(pick, mono),
		ContentAt:      genTime(pick, mono),
		ContentRank:    pick(4),
		Value:          int64(oneOf(pick, 0, 1999, 12000, -5)),
		Currency:       oneOf(pick, "", "USD", "EUR"),
		ItemCount:      pick(3),
		LineItems:      genLineItems(pick),
		Email:          oneOf(pick, "", "a@example.com", "b@example.com"),
		Phone:          oneOf(pick, "", "+1"),
		Country:        oneOf(pick, "", "US"),
		LandingSite:    oneOf(pick, "", "/x"),
		ReferringSite:  oneOf(pick, "", "https://r"),
		SourceName:     oneOf(pick, "", "web"),
		Gateway:        oneOf(pick, "", "stripe"),
		RecoveryURL:    oneOf(pick, "", "https://u"),
		Returning:      pick(2) == 0,
		ReturningKnown: pick(2) == 0,
		AbandonedAt:    genTimePtr(pick, mono),
	}
	for _, st := range Stages() {
		*s.stageField(st) = genTimePtr(pick, mono)
	}
	for _, a := range Attrs() {
		s.AttrSeen[a] = Stamp{At: genTime(pick, mono), Rank: pick(4)}
	}
	return s
}
