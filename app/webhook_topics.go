package app

import "github.com/funnelscope/funnelscope/shopify"

// webhookPath is where Shopify delivers every topic, on the app's URL.
const webhookPath = "/webhooks"

// route is what ingest does with a topic's deliveries.
type route int

const (
	// routeNone is a topic the app does not subscribe to: ignored.
	routeNone route = iota
	// routeFunnel parses a cart, checkout or order into a funnel event and
	// applies it to its session.
	routeFunnel
	// routeKeep keeps the delivery for its shop, changing no funnel.
	routeKeep
	// routeUninstall records the shop's uninstall.
	routeUninstall
	// routeChange records a store change (webhook_changes.go).
	routeChange
	// routeCompliance is a privacy request: kept without its payload, or
	// worked as a job (webhook_compliance.go).
	routeCompliance
)

// topicRoute is one topic the app subscribes to and its route; a funnel
// topic has a label, what a session's timeline calls its deliveries.
type topicRoute struct {
	topic string
	route route
	label string
}

// webhookRoutes is the one table of the topics the app subscribes to and
// how each is routed: registration (webhookTopics), routing (routeOf), the
// metrics label set (metricTopic) and the test against shopify.app.toml all
// read it. Compliance topics are subscribed in shopify.app.toml alone;
// the others are also registered for each shop through the Admin API.
func webhookRoutes() []topicRoute {
	return []topicRoute{
		{shopify.TopicCartsCreate, routeFunnel, "Cart created"},
		{shopify.TopicCartsUpdate, routeFunnel, "Cart updated"},
		{shopify.TopicCheckoutsCreate, routeFunnel, "Checkout started"},
		{shopify.TopicCheckoutsUpdate, routeFunnel, "Checkout updated"},
		{shopify.TopicCheckoutsDelete, routeKeep, ""},
		{shopify.TopicOrdersCreate, routeFunnel, "Order placed"},
		{shopify.TopicAppUninstalled, routeUninstall, ""},
		{shopify.TopicThemesPublish, routeChange, ""},
		{shopify.TopicProductsUpdate, routeChange, ""},
		{shopify.TopicDiscountsCreate, routeChange, ""},
		{shopify.TopicDiscountsUpdate, routeChange, ""},
		{shopify.TopicDiscountsDelete, routeChange, ""},
		{shopify.TopicCustomersDataRequest, routeCompliance, ""},
		{shopify.TopicCustomersRedact, routeCompliance, ""},
		{shopify.TopicShopRedact, routeCompliance, ""},
	}
}

// routeOf is the route of a topic; routeNone for one the app does not
// subscribe to.
func routeOf(topic string) route {
	for _, r := range webhookRoutes() {
		if r.topic == topic {
			return r.route
		}
	}
	return routeNone
}

// topicLabel is what a session's timeline calls a delivery of topic: its
// label, or the topic itself for one without (a timeline only holds
// funnel topics, which all have one).
func topicLabel(topic string) string {
	for _, r := range webhookRoutes() {
		if r.topic == topic && r.label != "" {
			return r.label
		}
	}
	return topic
}

// webhookTopics are the topics registered for each shop through the Admin
// API, in table order: all but the compliance topics, which Shopify takes
// only from shopify.app.toml.
func webhookTopics() []string {
	var out []string
	for _, r := range webhookRoutes() {
		if !shopify.ComplianceTopic(r.topic) {
			out = append(out, r.topic)
		}
	}
	return out
}
