package app

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/funnelscope/funnelscope/shopify"
)

// appToml is the part of shopify.app.toml the app's code must agree with.
type appToml struct {
	AccessScopes struct {
		Scopes string `toml:"scopes"`
	} `toml:"access_scopes"`
	Webhooks struct {
		APIVersion    string `toml:"api_version"`
		Subscriptions []struct {
			Topics           []string `toml:"topics"`
			ComplianceTopics []string `toml:"compliance_topics"`
			URI              string   `toml:"uri"`
		} `toml:"subscriptions"`
	} `toml:"webhooks"`
}

// readAppToml parses the repository's shopify.app.toml. Every key under
// [webhooks] must be one the test reads, so that a subscription written
// with a key it does not know (a misspelt "topic", a filter) fails rather
// than passes unread.
func readAppToml(t *testing.T) appToml {
	t.Helper()
	var conf appToml
	md, err := toml.DecodeFile("../shopify.app.toml", &conf)
	if err != nil {
		t.Fatalf("shopify.app.toml: %v", err)
	}
	for _, k := range md.Undecoded() {
		if k[0] == "webhooks" {
			t.Errorf("shopify.app.toml: %s is not a key the app knows", k)
		}
	}
	return conf
}

// TestShopifyAppTomlDeclaresTheRoutedTopics ties shopify.app.toml, which
// `shopify app deploy` pushes to Shopify, to the app's one table of topics:
// its subscriptions' topics are the topics registered through the Admin
// API, its compliance_topics the ones routed as privacy requests, each
// once, all delivered to the path the app serves. A topic added on one side
// only fails it.
func TestShopifyAppTomlDeclaresTheRoutedTopics(t *testing.T) {
	t.Parallel()
	conf := readAppToml(t)
	var topics, compliance []string
	for i, sub := range conf.Webhooks.Subscriptions {
		if sub.URI != webhookPath {
			t.Errorf("subscription %d delivers to %q, want %q", i, sub.URI, webhookPath)
		}
		if len(sub.Topics)+len(sub.ComplianceTopics) == 0 {
			t.Errorf("subscription %d names no topic", i)
		}
		topics = append(topics, sub.Topics...)
		compliance = append(compliance, sub.ComplianceTopics...)
	}
	var wantCompliance []string
	for _, r := range webhookRoutes() {
		if r.route == routeCompliance {
			wantCompliance = append(wantCompliance, r.topic)
		}
	}
	sameTopics(t, "shopify.app.toml's subscriptions topics", topics, "webhookTopics()", webhookTopics())
	sameTopics(t, "shopify.app.toml's compliance_topics", compliance, "the compliance routes", wantCompliance)
	if conf.Webhooks.APIVersion != DefaultAPIVersion {
		t.Errorf("shopify.app.toml's webhooks api_version = %q, the app's default is %q", conf.Webhooks.APIVersion, DefaultAPIVersion)
	}
	if conf.AccessScopes.Scopes != DefaultScopes {
		t.Errorf("shopify.app.toml's scopes = %q, the app's default is %q", conf.AccessScopes.Scopes, DefaultScopes)
	}
}

// sameTopics fails unless got and want hold the same topics, each once.
func sameTopics(t *testing.T, gotName string, got []string, wantName string, want []string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if len(slices.Compact(slices.Clone(g))) != len(g) {
		t.Errorf("%s name a topic twice: %v", gotName, g)
	}
	if !slices.Equal(g, w) {
		t.Errorf("%s = %v, %s = %v", gotName, g, wantName, w)
	}
}

// TestWebhookRoutes checks the table itself: each topic once, with a route
// and a payload parser; the compliance routes are exactly Shopify's
// compliance topics, which are never registered through the Admin API; the
// metrics label each routed topic by name and every other one "other".
func TestWebhookRoutes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range webhookRoutes() {
		if seen[r.topic] {
			t.Errorf("%s is in the table twice", r.topic)
		}
		seen[r.topic] = true
		if r.route == routeNone {
			t.Errorf("%s has no route", r.topic)
		}
		if got := routeOf(r.topic); got != r.route {
			t.Errorf("routeOf(%s) = %d, the table says %d", r.topic, got, r.route)
		}
		if (r.route == routeCompliance) != shopify.ComplianceTopic(r.topic) {
			t.Errorf("%s: routed as compliance %v, a Shopify compliance topic %v", r.topic, r.route == routeCompliance, shopify.ComplianceTopic(r.topic))
		}
		if _, err := shopify.ParsePayload(r.topic, []byte(`{}`)); errors.Is(err, shopify.ErrUnknownTopic) {
			t.Errorf("%s has no payload parser", r.topic)
		}
		if got := metricTopic(r.topic); got != r.topic {
			t.Errorf("metricTopic(%s) = %q", r.topic, got)
		}
	}
	for _, topic := range webhookTopics() {
		if shopify.ComplianceTopic(topic) || !seen[topic] {
			t.Errorf("webhookTopics() registers %s", topic)
		}
	}
	if n := len(webhookTopics()); n != 12 {
		t.Errorf("webhookTopics() = %v, want the 12 non-compliance topics", webhookTopics())
	}
	for _, topic := range []string{shopify.TopicAppScopesUpdate, "orders/paid", "CARTS_CREATE", "carts/create ", "", strings.Repeat("x", 300)} {
		if routeOf(topic) != routeNone || metricTopic(topic) != "other" {
			t.Errorf("%q: route %d, metric label %q; want none and other", topic, routeOf(topic), metricTopic(topic))
		}
	}
}

// TestFunnelTopicsHaveLabels checks that every topic a session's timeline
// can hold (the funnel topics) has its label in the table, and that no
// other topic has one: a timeline never shows a bare topic.
func TestFunnelTopicsHaveLabels(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range webhookRoutes() {
		if (r.route == routeFunnel) != (r.label != "") {
			t.Errorf("%s (route %d) has label %q", r.topic, r.route, r.label)
		}
		if r.label != "" && seen[r.label] {
			t.Errorf("two topics are labelled %q", r.label)
		}
		seen[r.label] = true
		if r.route == routeFunnel && topicLabel(r.topic) != r.label {
			t.Errorf("topicLabel(%s) = %q, want %q", r.topic, topicLabel(r.topic), r.label)
		}
	}
	if got := topicLabel("products/update"); got != "products/update" {
		t.Errorf("an unknown topic is labelled %q, want the topic itself", got)
	}
}
