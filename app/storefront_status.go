package app

import (
	"fmt"
	"net/url"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// embedHandle is the app embed block's handle: the file name of
// extensions/funnelscope-embed/blocks/funnelscope.liquid. The theme
// editor's deep link names it, and settings_data.json holds it in the
// block's type.
const embedHandle = "funnelscope"

// pixelConnectedWithin is how recent the pixel's last event must be for
// the pixel to count as connected.
const pixelConnectedWithin = 24 * time.Hour

// The pixel states of GET /api/storefront/status.
const (
	pixelConnected = "connected"  // an event arrived within pixelConnectedWithin
	pixelWaiting   = "waiting"    // the pixel is on; no event has arrived yet
	pixelQuiet     = "quiet"      // events came, but none within pixelConnectedWithin
	pixelPending   = "pending"    // the activation job is on its way
	pixelFailed    = "failed"     // Shopify refused; Detail says what to do
	pixelNotSetUp  = "not_set_up" // never queued (a shop installed before the pixel)
)

// The embed states of GET /api/storefront/status.
const (
	embedOn      = "on"
	embedOff     = "off"
	embedNoTheme = "no_theme"
	embedUnknown = "unknown"
)

// storefrontStatus is the answer of GET /api/storefront/status: whether the
// web pixel delivers events, whether the theme app embed is on, and the
// theme editor's deep link that turns the embed on.
type storefrontStatus struct {
	Pixel pixelStatus `json:"pixel"`
	Embed embedStatus `json:"embed"`
	// ThemeEditorURL opens the main theme's editor at App embeds with
	// Funnelscope's embed selected (activateAppId), in the top window.
	ThemeEditorURL string `json:"theme_editor_url"`
}

// pixelStatus is the pixel's part of storefrontStatus.
type pixelStatus struct {
	State string `json:"state"`
	// Label is the state in a few words, Detail what it means and what to
	// do, both for the merchant.
	Label  string `json:"label"`
	Detail string `json:"detail"`
	// LastEventAt is when the last accepted storefront event arrived.
	LastEventAt *time.Time `json:"last_event_at"`
	WebPixelID  string     `json:"web_pixel_id,omitempty"`
	// ErrorCode is Shopify's reason for a refusal (NO_EXTENSION,
	// ACCESS_DENIED…), or REAUTHORIZE / UNREACHABLE.
	ErrorCode string `json:"error_code,omitempty"`
	// CanRetry says the merchant can ask for the activation again
	// (POST /api/storefront/activate).
	CanRetry bool `json:"can_retry"`
}

// embedStatus is the embed's part of storefrontStatus.
type embedStatus struct {
	State  string `json:"state"`
	Label  string `json:"label"`
	Detail string `json:"detail"`
	Theme  string `json:"theme,omitempty"`
}

// themeEditorURL is the deep link that opens shop's published theme in the
// theme editor with the app's embed selected in App embeds.
func themeEditorURL(shop, apiKey string) string {
	q := url.Values{"context": {"apps"}, "activateAppId": {apiKey + "/" + embedHandle}}
	return "https://" + shop + "/admin/themes/current/editor?" + q.Encode()
}

// newPixelStatus says where the shop's pixel stands at now: from its
// activation (ok false when never queued) and its last event (nil when
// none). Events prove the pixel works, whatever the activation says.
func newPixelStatus(now time.Time, act store.PixelActivation, ok bool, lastSeen *time.Time, demo bool) pixelStatus {
	p := pixelStatus{LastEventAt: lastSeen, WebPixelID: act.WebPixelID}
	switch {
	case lastSeen != nil && now.Sub(*lastSeen) < pixelConnectedWithin:
		p.State, p.Label = pixelConnected, "Connected — last event "+ago(now, *lastSeen)
		p.Detail = "Shoppers' visits reach Funnelscope: the report shows the whole funnel from the first page view."
	case ok && act.State == store.PixelFailed:
		p.State, p.ErrorCode, p.CanRetry = pixelFailed, act.ErrorCode, !demo
		p.Label = "Not connected"
		p.Detail = pixelFailureAdvice(act.ErrorCode, act.ErrorMessage)
	case ok && act.State == store.PixelPending:
		p.State, p.Label = pixelPending, "Connecting…"
		p.Detail = "Funnelscope is turning its pixel on in your store. This takes a moment."
		if act.ErrorMessage != "" {
			p.Detail = "Shopify could not be reached on the last try; Funnelscope tries again by itself."
		}
	case lastSeen != nil:
		p.State, p.Label = pixelQuiet, "No storefront events in the last 24 hours"
		p.Detail = fmt.Sprintf("The last one arrived %s. Events come when shoppers visit your online store and, where a cookie banner asks, accept analytics.", ago(now, *lastSeen))
		p.CanRetry = !demo
	case ok && act.State == store.PixelActive:
		p.State, p.Label = pixelWaiting, "Waiting for the first storefront event"
		p.Detail = "The pixel is on in your store. Events arrive once shoppers visit your online store and, where a cookie banner asks, accept analytics."
	default:
		p.State, p.Label, p.CanRetry = pixelNotSetUp, "Not set up yet", !demo
		p.Detail = "Funnelscope's pixel is not on in your store yet. Choose Connect the pixel to turn it on."
		if demo {
			p.Detail = "The demo store has no storefront events yet."
		}
	}
	return p
}

// pixelFailureAdvice says, for the merchant, why the pixel could not be
// turned on and what to do.
func pixelFailureAdvice(code, message string) string {
	switch code {
	case shopify.PixelAccessDenied:
		return "Funnelscope is not allowed to add its pixel: it needs your approval for customer events. " +
			"Open Funnelscope from Apps in your Shopify admin, approve the access it asks for, then choose Try again."
	case shopify.PixelNoExtension:
		return "Shopify has no Funnelscope pixel to turn on yet: the app's pixel has not been released to Shopify. " +
			"Nothing is wrong in your store. Choose Try again later, or contact Funnelscope's support."
	case pixelErrReauthorize:
		return "Shopify no longer accepts Funnelscope's access to your store. Open Funnelscope from Apps in your Shopify admin, then choose Try again."
	case pixelErrUnreachable:
		return "Funnelscope could not reach Shopify to turn its pixel on, after trying for a few hours. Choose Try again."
	}
	detail := "Shopify refused to turn the pixel on"
	if message != "" {
		detail += " (" + message + ")"
	}
	return detail + ". Choose Try again; if it fails again, contact Funnelscope's support."
}

// newEmbedStatus says whether the theme app embed is on, from the main
// theme's settings (err: they could not be read).
func newEmbedStatus(e shopify.ThemeEmbed, err error, demo bool) embedStatus {
	const how = "Open the theme editor, turn on Funnelscope under App embeds, and save."
	switch {
	case demo:
		return embedStatus{State: embedUnknown, Label: "Not checked in the demo",
			Detail: "The demo store has no theme. In your store, " + lowerFirst(how)}
	case err != nil:
		return embedStatus{State: embedUnknown, Label: "Could not be checked",
			Detail: "Funnelscope could not read your published theme just now. Reload the page to check again. To turn it on: " + lowerFirst(how)}
	case e.ThemeID == "":
		return embedStatus{State: embedNoTheme, Label: "No published theme",
			Detail: "Your online store has no published theme, so there is nothing to turn on yet."}
	case e.Enabled:
		return embedStatus{State: embedOn, Theme: e.ThemeName, Label: "On in " + e.ThemeName,
			Detail: "The embed adds what the pixel cannot see: scroll depth, gallery use, reviews reached, variants chosen, filters used."}
	}
	return embedStatus{State: embedOff, Theme: e.ThemeName, Label: "Off in " + e.ThemeName,
		Detail: "Without it the report lacks scroll depth, gallery use, reviews reached, variants chosen and filters used. " + how}
}

// lowerFirst lowers the first letter of an ASCII sentence.
func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// ago says how long before now t was, in the largest whole unit: "just
// now", "3 minutes ago", "1 hour ago", "2 days ago".
func ago(now, t time.Time) string {
	d := now.Sub(t)
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, name)
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return unit(int64(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return unit(int64(d/time.Hour), "hour")
	}
	return unit(int64(d/(24*time.Hour)), "day")
}
