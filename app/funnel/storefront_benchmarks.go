package funnel

// StorefrontPer says what a storefront benchmark's rate counts.
type StorefrontPer string

// The two bases of storefront rates: visits that reached To over visits
// that reached From, or add-to-cart events over product view events (the
// "cart-to-detail" rate of analytics tools).
const (
	PerVisit StorefrontPer = "visit"
	PerView  StorefrontPer = "view"
)

// StorefrontBenchmark is what typical and good stores reach on one step of
// the storefront funnel, for all devices (Device "") or one device.
type StorefrontBenchmark struct {
	From, To StorefrontStage
	Per      StorefrontPer
	Device   Device
	Typical  float64
	Good     float64
	Source   string
	Hint     string
}

// Sources of the storefront figures. They are round, approximate and
// vary widely by category and traffic mix; the page shows them as such.
const (
	SourceDynamicYield      = "Dynamic Yield (Mastercard) e-commerce benchmarks: about 7% of sessions add to cart across industries (12-month average), higher on desktop (about 8.5%) than on tablets (about 7.5%) and phones (about 6.5%)."
	SourceStorefrontDerived = "Derived: the published add-to-cart rate per session (Dynamic Yield, about 7%) split into reaching a product page (about 4 in 10 sessions) and adding once there; an estimate, since no study publishes the two steps on their own."
	SourceCartToDetail      = "Derived: add-to-cart events per product page view (analytics tools' cart-to-detail rate), about 8% on typical stores and 12% on good ones, from the same per-session figures; approximate."
)

// The hints of the storefront steps.
const (
	hintProductView = "Visitors leave before opening a product: the home and collection pages do not lead on. Put best sellers and clear categories above the fold, make the menu and search easy on mobile, and check that ads and e-mails land on the page they promise."
	hintAddToCart   = "Shoppers see the product and do not add it: price, photos, sizing, delivery cost or trust are in doubt. Show shipping and returns near the button, add reviews and size guides, keep the button visible on mobile, and check the variants in stock."
)

// StorefrontBenchmarks returns every storefront benchmark: for each of the
// steps visited → viewed_product and viewed_product → added_to_cart (per
// visit) and product view → add to cart (per view), one row for all
// devices and one per device. It is the one table to update when better
// figures are published; the slice is new on every call.
//
// The per-visit figures multiply to the published add-to-cart rate per
// session of each device: 0.42 × 0.17 ≈ 7% for all devices, 0.40 × 0.16
// ≈ 6.4% mobile, 0.42 × 0.18 ≈ 7.6% tablet, 0.45 × 0.19 ≈ 8.6% desktop.
func StorefrontBenchmarks() []StorefrontBenchmark {
	type row struct {
		d                    Device
		view, viewGood       float64
		add, addGood         float64
		perView, perViewGood float64
	}
	rows := []row{
		{"", 0.42, 0.55, 0.17, 0.24, 0.08, 0.12},
		{DeviceMobile, 0.40, 0.52, 0.16, 0.23, 0.07, 0.11},
		{DeviceTablet, 0.42, 0.55, 0.18, 0.25, 0.08, 0.12},
		{DeviceDesktop, 0.45, 0.58, 0.19, 0.27, 0.09, 0.13},
	}
	var out []StorefrontBenchmark
	for _, r := range rows {
		out = append(out,
			StorefrontBenchmark{StorefrontVisited, StorefrontViewedProduct, PerVisit, r.d, r.view, r.viewGood, SourceStorefrontDerived, hintProductView},
			StorefrontBenchmark{StorefrontViewedProduct, StorefrontAddedToCart, PerVisit, r.d, r.add, r.addGood, SourceStorefrontDerived, hintAddToCart},
			StorefrontBenchmark{StorefrontViewedProduct, StorefrontAddedToCart, PerView, r.d, r.perView, r.perViewGood, SourceCartToDetail, hintAddToCart},
		)
	}
	return out
}

// StorefrontBenchmarkFor returns the benchmark of the step into to, on
// the basis per, for device: the device's own row when it has one, else
// the all-devices row (DeviceUnknown and "" get that). ok is false for a
// step without a benchmark.
func StorefrontBenchmarkFor(to StorefrontStage, per StorefrontPer, device Device) (StorefrontBenchmark, bool) {
	var all StorefrontBenchmark
	found := false
	for _, b := range StorefrontBenchmarks() {
		if b.To != to || b.Per != per {
			continue
		}
		if b.Device == device && device != "" {
			return b, true
		}
		if b.Device == "" {
			all, found = b, true
		}
	}
	return all, found
}

// judge places the step against the benchmark with the cart funnel's rule
// (Judge).
func (b StorefrontBenchmark) judge(entering, reached int64) Verdict {
	return Judge(Benchmark{Typical: b.Typical, Good: b.Good}, entering, reached)
}

// typicalCheckout is the share of carts a typical store turns into
// orders: the product of the cart funnel's typical step rates.
func typicalCheckout() float64 {
	p := 1.0
	for _, b := range Benchmarks() {
		p *= b.Typical
	}
	return p
}
