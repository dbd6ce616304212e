package app

import (
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// Config is the application's configuration, read once at start-up by main
// and passed in; nothing below reads the environment.
type Config struct {
	// APIKey and APISecret are the app's client id and client secret.
	APIKey    string
	APISecret string
	// AppURL is the public https base URL of the app, without a trailing slash.
	AppURL string
	// Scopes are the access scopes the app requests and needs.
	Scopes string
	// APIVersion is the Admin API version, e.g. 2026-10.
	APIVersion string
	// AbandonAfter is the default idle time after which a session is abandoned.
	AbandonAfter time.Duration
	// SMTPURL and AlertFrom configure alert e-mail; empty SMTPURL turns it off.
	SMTPURL   string
	AlertFrom string
	// AdminOrigin, for development and tests only, receives every call meant
	// for https://{shop}.
	AdminOrigin string
	// PayloadRetention is how long kept webhook payloads live.
	PayloadRetention time.Duration
	// StorefrontRetention is how long raw storefront events live
	// (STOREFRONT_RETENTION); visits outlive them. Zero means the default.
	StorefrontRetention time.Duration
	// Demo turns on demo mode: a demo shop, self-minted session tokens, no
	// calls to Shopify.
	Demo bool
	// DemoShop is the shop domain demo mode serves.
	DemoShop string
}

// Defaults for the optional settings. DefaultScopes is the one list of
// the access scopes the app asks for (shopify.app.toml declares the same,
// which TestShopifyAppTomlDeclaresTheRoutedTopics checks): read_orders for
// the webhooks, write_pixels and read_customer_events for webPixelCreate,
// which connects the storefront pixel, and read_themes to read the main
// theme's settings_data.json and tell whether the app embed is on.
const (
	DefaultScopes           = "read_orders,write_pixels,read_customer_events,read_themes,read_products,read_discounts"
	DefaultAPIVersion       = shopify.DefaultAPIVersion
	DefaultAbandonAfter     = time.Hour
	DefaultPayloadRetention = 7 * 24 * time.Hour
	// DefaultStorefrontRetention is STOREFRONT_RETENTION's default, and
	// MinStorefrontRetention its least value.
	DefaultStorefrontRetention = 7 * 24 * time.Hour
	MinStorefrontRetention     = time.Hour
)
