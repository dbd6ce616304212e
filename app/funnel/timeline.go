package funnel

import "time"

// Source says where an entry of a session's timeline came from.
type Source string

// The sources of timeline entries: a Shopify webhook (a cart, checkout or
// order snapshot), or a storefront event of the web pixel.
const (
	SourceWebhook    Source = "webhook"
	SourceStorefront Source = "storefront"
)

// Valid reports whether s is one of the timeline's sources.
func (s Source) Valid() bool {
	return s == SourceWebhook || s == SourceStorefront
}

// TimelineEntry is one thing a shopper did that reached the app, as a
// session's timeline lists it: a webhook's snapshot or a storefront event,
// at its own time (the payload's, never its arrival's), with the furthest
// stage it shows and the cart as it stood then. It carries no contact
// details: the session holds those.
type TimelineEntry struct {
	Source Source
	// Name is the webhook's topic (checkouts/update) or the storefront
	// event's name (product_added_to_cart).
	Name string
	At   time.Time
	// Stage is the furthest stage the entry shows on its own; StageNone
	// for one that shows none (an empty cart).
	Stage Stage
	// Value (minor units of Currency) and ItemCount are the cart as the
	// entry saw it.
	Value     int64
	Currency  string
	ItemCount int
}

// WebhookEntry is the timeline entry of a webhook's event e, delivered
// under topic: at the time its snapshot describes (its last update, else
// its creation), with the furthest stage e.Reached gives.
func WebhookEntry(e Event, topic string) TimelineEntry {
	var st Stage
	for s := range e.Reached() {
		st = max(st, s)
	}
	return TimelineEntry{
		Source: SourceWebhook, Name: topic, At: e.seenAt(), Stage: st,
		Value: e.Value, Currency: e.Currency, ItemCount: e.ItemCount,
	}
}

// TimelineCap is the most entries a session's timeline keeps, and
// TimelineHead how many of them are its earliest. When more arrive (a
// checkout updated ten thousand times), the timeline keeps its earliest
// TimelineHead entries and its latest TimelineCap-TimelineHead, by time,
// and counts the ones left out between them: how the journey began and
// how it ended. The session itself (its stages, cart and contact) stays
// complete whatever the timeline keeps.
const (
	TimelineCap  = 200
	TimelineHead = TimelineCap / 2
)
