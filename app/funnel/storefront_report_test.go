package funnel

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestBuildStorefrontReportJSON checks the block against DESIGN's example
// figures, key by key, with the rates as the cart funnel's.
func TestBuildStorefrontReportJSON(t *testing.T) {
	// Furthest stage counts that give DESIGN's stage figures.
	reach := []int64{15200, 6100, 1210, 640, 560, 500, 470, 430, 390}
	var tally StorefrontTally
	for i := range reach {
		next := int64(0)
		if i+1 < len(reach) {
			next = reach[i+1]
		}
		tally.Furthest[i] = reach[i] - next
	}
	tally.Pages = map[PageType]int64{PageHome: 9000, PageCollection: 5000, PageProduct: 6100, PageSearch: 300}
	tally.Micro = map[MicroKey]int64{
		MicroScrolledHalf: 5200, MicroNavigated: 6100, MicroProductClicked: 2600, MicroFiltered: 800,
		MicroGallery: 2300, MicroReviewsReached: 1400, MicroVariantSelected: 1900, MicroAddedToCart: 1210,
	}
	b, err := json.Marshal(BuildStorefrontReport(tally))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	const want = `{
	  "visits": 15200,
	  "stages": [
	    {"key": "visited", "label": "Visited the store", "sessions": 15200},
	    {"key": "viewed_product", "label": "Viewed a product", "sessions": 6100},
	    {"key": "added_to_cart", "label": "Added to cart", "sessions": 1210},
	    {"key": "checkout_started", "label": "Started checkout", "sessions": 640},
	    {"key": "contact_submitted", "label": "Gave contact info", "sessions": 560},
	    {"key": "address_submitted", "label": "Gave address", "sessions": 500},
	    {"key": "payment_reached", "label": "Reached payment", "sessions": 470},
	    {"key": "payment_submitted", "label": "Submitted payment", "sessions": 430},
	    {"key": "completed", "label": "Completed order", "sessions": 390}
	  ],
	  "pages": [
	    {"type": "home", "visits": 9000, "micro": [{"key": "scrolled_half", "visits": 5200}, {"key": "navigated", "visits": 6100}]},
	    {"type": "collection", "visits": 5000, "micro": [{"key": "product_clicked", "visits": 2600}, {"key": "filtered", "visits": 800}]},
	    {"type": "product", "visits": 6100, "micro": [{"key": "gallery", "visits": 2300}, {"key": "reviews_reached", "visits": 1400}, {"key": "variant_selected", "visits": 1900}, {"key": "added_to_cart", "visits": 1210}]}
	  ],
	  "reviews_reached_not_added": 0,
	  "product_views": 0,
	  "product_adds": 0,
	  "bot_visits": 0
	}`
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	// The rates are the plain quotients of the counts (null into the
	// first stage); checked here, then left out of the comparison.
	for i, st := range got["stages"].([]any) {
		m := st.(map[string]any)
		prev, start := m["rate_from_previous"], m["rate_from_start"]
		if i == 0 && prev != nil || i > 0 && prev != float64(reach[i])/float64(reach[i-1]) || start != float64(reach[i])/float64(reach[0]) {
			t.Errorf("stage %d rates %v %v", i, prev, start)
		}
		delete(m, "rate_from_previous")
		delete(m, "rate_from_start")
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("storefront block\n got %s\nwant %s", b, want)
	}
}

func TestBuildStorefrontReportEmpty(t *testing.T) {
	r := BuildStorefrontReport(StorefrontTally{})
	if r.Visits != 0 || len(r.Stages) != 9 || len(r.Pages) != 3 {
		t.Fatalf("%+v", r)
	}
	for _, s := range r.Stages {
		if s.RateFromPrevious != nil || s.RateFromStart != nil || s.Sessions != 0 {
			t.Errorf("%s: rate invented from no visits: %+v", s.Key, s)
		}
	}
	b, _ := json.Marshal(r)
	if !json.Valid(b) {
		t.Error("invalid JSON")
	}
}

// TestStorefrontTallyLaws: a tally of visits counts each visit once at
// every stage up to its furthest, so stage counts never rise down the
// funnel; micro conversions never exceed their page's visits; and the
// devices' tallies add up to the whole at every stage.
func TestStorefrontTallyLaws(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 0x5eed))
	for i := range 200 {
		events := make([]StorefrontEvent, 1+r.IntN(40))
		for j := range events {
			events[j] = genStorefrontEvent(r.IntN, j)
		}
		visits := Fold(nil, events)
		var all StorefrontTally
		byDevice := map[Device]StorefrontTally{}
		for _, v := range visits {
			all.Add(v)
			d := v.Device
			if d == "" {
				d = DeviceUnknown
			}
			dt := byDevice[d]
			dt.Add(v)
			byDevice[d] = dt
		}
		rep := BuildStorefrontReport(all)
		for k := 1; k < len(rep.Stages); k++ {
			if rep.Stages[k].Sessions > rep.Stages[k-1].Sessions {
				t.Fatalf("case %d: %s rises above %s", i, rep.Stages[k].Key, rep.Stages[k-1].Key)
			}
		}
		if rep.Visits+rep.BotVisits != int64(len(visits)) {
			t.Fatalf("case %d: %d visits + %d bots of %d", i, rep.Visits, rep.BotVisits, len(visits))
		}
		for _, p := range rep.Pages {
			for _, m := range p.Micro {
				if m.Visits > p.Visits {
					t.Fatalf("case %d: %s %s %d > %d visits", i, p.Type, m.Key, m.Visits, p.Visits)
				}
			}
		}
		cmp := DeviceComparison(byDevice)
		for k, st := range cmp {
			var sum int64
			for _, c := range st.Devices {
				sum += c.Sessions
			}
			if sum != rep.Stages[k].Sessions {
				t.Fatalf("case %d: devices at %s add up to %d, not %d", i, st.Key, sum, rep.Stages[k].Sessions)
			}
		}
	}
}

func TestDeviceComparison(t *testing.T) {
	tally := func(visits, viewed, added int64) StorefrontTally {
		var t StorefrontTally
		t.Furthest[StorefrontVisited] = visits - viewed
		t.Furthest[StorefrontViewedProduct] = viewed - added
		t.Furthest[StorefrontAddedToCart] = added
		return t
	}
	cmp := DeviceComparison(map[Device]StorefrontTally{
		DeviceMobile:  tally(1000, 300, 20),
		DeviceDesktop: tally(1000, 500, 120),
	})
	if len(cmp) != 9 || cmp[1].Key != "viewed_product" || len(cmp[1].Devices) != 3 {
		t.Fatalf("%+v", cmp)
	}
	mobile, tablet, desktop := cmp[2].Devices[0], cmp[2].Devices[1], cmp[2].Devices[2]
	if mobile.Device != DeviceMobile || tablet.Device != DeviceTablet || desktop.Device != DeviceDesktop {
		t.Fatalf("columns %s %s %s", mobile.Device, tablet.Device, desktop.Device)
	}
	if mobile.Sessions != 20 || *mobile.RateFromPrevious != 20.0/300 || mobile.Band != VerdictBelow {
		t.Errorf("mobile add to cart %+v (%v)", mobile, *mobile.RateFromPrevious)
	}
	if desktop.Sessions != 120 || desktop.Band != VerdictTypical && desktop.Band != VerdictGood {
		t.Errorf("desktop add to cart %+v", desktop)
	}
	if tablet.RateFromPrevious != nil || tablet.RateFromStart != nil || tablet.Band != VerdictTooFew {
		t.Errorf("tablet without visits has rates: %+v", tablet)
	}
	if cmp[3].Devices[0].Band != "" {
		t.Errorf("a step without a storefront benchmark has a verdict: %+v", cmp[3].Devices[0])
	}
}
