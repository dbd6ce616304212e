// Package templates holds the HTML pages, embedded into the binary and
// parsed once at start-up.
package templates

import (
	"embed"
	"html/template"
	"strings"
)

//go:embed *.html
var files embed.FS

// Parse parses every page template. asset is the URL a static file is
// served at, given its name in static/ (static.Assets.URL): the pages name
// every CSS, script and icon of theirs through it, {{asset "app.css"}},
// never by a literal path, and a page naming a file that does not exist
// fails to render.
func Parse(asset func(name string) (string, error)) (*template.Template, error) {
	return template.New("pages").Funcs(template.FuncMap{
		"segmentName": SegmentName, "lower": strings.ToLower, "verdictTone": VerdictTone, "statusTone": StatusTone, "asset": asset,
	}).ParseFS(files, "*.html")
}

// VerdictTone is the Polaris badge tone (s-badge tone) of a step's verdict
// (funnel.Verdict's value): below typical is critical, good is success,
// typical neutral, and no verdict yet the badge's own default.
func VerdictTone(verdict string) string {
	switch verdict {
	case "below_typical":
		return "critical"
	case "good":
		return "success"
	case "typical":
		return "neutral"
	}
	return "auto"
}

// StatusTone is the Polaris badge tone of a session's status
// (funnel.Status's value), as the report's lists give it: drop-offs warn,
// an order is a success, a shopper still active is news.
func StatusTone(status string) string {
	switch status {
	case "abandoned_cart", "checkout_dropoff", "payment_dropoff":
		return "warning"
	case "recovered", "completed":
		return "success"
	case "active":
		return "info"
	}
	return "auto"
}

// SegmentName names a report segment for the merchant.
func SegmentName(segment string) string {
	switch segment {
	case "source":
		return "Traffic source"
	case "country":
		return "Country"
	case "value_band":
		return "Cart value"
	case "new_vs_returning":
		return "New vs returning"
	case "device":
		return "Device"
	case "landing_page_type":
		return "Landing page"
	}
	return segment
}
