package funnel

// MicroKey names an on-page micro conversion of the storefront report.
type MicroKey string

// The micro conversions, per page type (PageMicros).
const (
	MicroScrolledHalf    MicroKey = "scrolled_half"
	MicroNavigated       MicroKey = "navigated"
	MicroProductClicked  MicroKey = "product_clicked"
	MicroFiltered        MicroKey = "filtered"
	MicroGallery         MicroKey = "gallery"
	MicroReviewsReached  MicroKey = "reviews_reached"
	MicroVariantSelected MicroKey = "variant_selected"
	MicroAddedToCart     MicroKey = "added_to_cart"
)

// PageMicro is one page type of the report's pages block and its micro
// conversions, in report order.
type PageMicro struct {
	Type  PageType
	Micro []MicroKey
}

// PageMicros returns the page types the report's pages block lists and
// their micro conversions, in report order: the one list of them.
func PageMicros() []PageMicro {
	return []PageMicro{
		{PageHome, []MicroKey{MicroScrolledHalf, MicroNavigated}},
		{PageCollection, []MicroKey{MicroProductClicked, MicroFiltered}},
		{PageProduct, []MicroKey{MicroGallery, MicroReviewsReached, MicroVariantSelected, MicroAddedToCart}},
	}
}

// Label returns the page type as the merchant reads it, as the heading of
// its micro conversions.
func (p PageType) Label() string {
	switch p {
	case PageHome:
		return "Home page"
	case PageCollection:
		return "Collection pages"
	case PageProduct:
		return "Product pages"
	case PageSearch:
		return "Search results"
	case PageCart:
		return "Cart page"
	case PagePage:
		return "Other store pages"
	}
	return "Other pages"
}

// Label returns the micro conversion as the merchant reads it.
func (m MicroKey) Label() string {
	switch m {
	case MicroScrolledHalf:
		return "Scrolled half the page"
	case MicroNavigated:
		return "Went on to another page"
	case MicroProductClicked:
		return "Opened a product"
	case MicroFiltered:
		return "Filtered or sorted"
	case MicroGallery:
		return "Used the gallery"
	case MicroReviewsReached:
		return "Reached the reviews"
	case MicroVariantSelected:
		return "Chose a variant"
	case MicroAddedToCart:
		return "Added to cart"
	}
	return string(m)
}

// Micro reports whether the visit made micro conversion m, DESIGN's rules:
//
//	scrolled_half     a scroll depth of at least 50 on a home page
//	navigated         a page view after the first home page view
//	product_clicked   a product view after the first collection view
//	filtered          a filter or sort used (embed event, or a collection
//	                  page view with filter.* or sort_by in its query)
//	gallery, reviews_reached, variant_selected
//	                  the embed's events on a product page
//	added_to_cart     an add to cart (a visit that adds counts as having
//	                  viewed a product: see Viewed)
//
// A micro conversion counts only in a visit that viewed its page type
// (Viewed), so it never exceeds its page's visits.
func (v Visit) Micro(m MicroKey) bool {
	var page PageType
	var did bool
	switch m {
	case MicroScrolledHalf:
		page, did = PageHome, v.ScrolledHalf
	case MicroNavigated:
		page, did = PageHome, !v.FirstHomeView.IsZero() && v.FirstHomeView.Before(v.LastPageView)
	case MicroProductClicked:
		page, did = PageCollection, !v.FirstCollectionView.IsZero() && v.FirstCollectionView.Before(v.LastProductView)
	case MicroFiltered:
		page, did = PageCollection, v.Filtered
	case MicroGallery:
		page, did = PageProduct, v.Gallery
	case MicroReviewsReached:
		page, did = PageProduct, v.ReviewsReached
	case MicroVariantSelected:
		page, did = PageProduct, v.VariantSelected
	case MicroAddedToCart:
		page, did = PageProduct, v.Reached(StorefrontAddedToCart)
	}
	return did && v.Viewed(page)
}
