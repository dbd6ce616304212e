package funnel

// Benchmark is what ecommerce stores commonly reach on one transition of
// the funnel: the step conversion (sessions that reach To over sessions
// that reached the stage before it) of a typical store and of a good one.
// Typical is the rate a store should reach at least, and the one leaks
// are measured against; Judge places a step against both.
type Benchmark struct {
	// To is the stage the transition leads to (its previous stage is where
	// it starts).
	To      Stage
	Typical float64
	Good    float64
	// Source says where the figures come from; Hint names the usual causes
	// of a weak step in plain words.
	Source string
	Hint   string
}

// Sources of the benchmark figures, quoted on the page. The figures are
// published round numbers and approximate; the per-step checkout figures
// are derived from the overall checkout figure, since no study publishes
// every step of Shopify's checkout on its own.
const (
	SourceBaymard    = "Baymard Institute: about 70% of online carts are abandoned on average (documented average across published studies)."
	SourceLittledata = "Littledata Shopify benchmarks: checkout-to-order conversion about 45% on average, above about 63% for the top fifth of stores."
	SourceDerived    = "Derived: the overall checkout figures (about 45% average, about 63% top fifth) spread over the four checkout steps; approximate."
)

// Benchmarks returns the benchmark of every transition, in funnel
// order: the one small table to update when better figures are published.
// The slice is new on every call.
//
// Cart to checkout follows from the two published figures: with about 30%
// of carts ordering (Baymard) and about 45% of checkouts ordering
// (Littledata), about two thirds of carts start a checkout. The four
// checkout steps multiply to about 45% (typical) and 63% (good).
func Benchmarks() []Benchmark {
	return []Benchmark{
		{StageCheckoutStarted, 0.65, 0.75, SourceBaymard,
			"Shoppers leave the cart when costs surprise them: shipping, taxes or fees shown late. Show costs early, offer express checkout buttons in the cart and keep the cart free of distractions."},
		{StageContactSubmitted, 0.80, 0.90, SourceDerived,
			"Asking for an account before checkout, or a long first form, stops shoppers. Offer guest checkout and Shop Pay, and ask only for an email or phone first."},
		{StageAddressSubmitted, 0.85, 0.93, SourceDerived,
			"Address forms lose shoppers on mobile and abroad. Turn on address autocomplete, check that you ship to the countries your visitors come from, and keep optional fields optional."},
		{StagePaymentReached, 0.85, 0.92, SourceDerived,
			"Shipping choices decide here: high rates, slow delivery or no free-shipping threshold. Show delivery dates and a cheaper option."},
		{StageCompleted, 0.78, 0.82, SourceLittledata,
			"The payment step fails on unfamiliar or missing payment methods, card entry on mobile, unexpected totals and declined cards. Offer wallets (Shop Pay, Apple Pay, PayPal) and local methods, and check for gateway errors."},
	}
}
