package shopify

import (
	"fmt"
	"strings"
)

// Webhook topics of Shopify's protocol, in its "resource/event" form. Which
// of them the app subscribes to, and what it does with each, is the app's
// concern, kept in one table there.
const (
	TopicCartsCreate          = "carts/create"
	TopicCartsUpdate          = "carts/update"
	TopicCheckoutsCreate      = "checkouts/create"
	TopicCheckoutsUpdate      = "checkouts/update"
	TopicCheckoutsDelete      = "checkouts/delete"
	TopicOrdersCreate         = "orders/create"
	TopicAppUninstalled       = "app/uninstalled"
	TopicAppScopesUpdate      = "app/scopes_update"
	TopicCustomersDataRequest = "customers/data_request"
	TopicCustomersRedact      = "customers/redact"
	TopicShopRedact           = "shop/redact"
	TopicThemesPublish        = "themes/publish"
	TopicProductsUpdate       = "products/update"
	TopicDiscountsCreate      = "discounts/create"
	TopicDiscountsUpdate      = "discounts/update"
	TopicDiscountsDelete      = "discounts/delete"
)

// ComplianceTopic reports whether topic is one of the mandatory privacy
// topics (customers/data_request, customers/redact, shop/redact). Shopify
// takes those only from the app's configuration (shopify.app.toml's
// compliance_topics), never through the Admin API.
func ComplianceTopic(topic string) bool {
	switch topic {
	case TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact:
		return true
	}
	return false
}

// TopicEnum converts "carts/create" to the GraphQL WebhookSubscriptionTopic
// value "CARTS_CREATE". Already-converted values are returned unchanged.
func TopicEnum(topic string) (string, error) {
	if topic == "" || len(topic) > 100 {
		return "", fmt.Errorf("shopify: invalid webhook topic %q", topic)
	}
	for i := 0; i < len(topic); i++ {
		if !topicByte(topic[i]) {
			return "", fmt.Errorf("shopify: invalid webhook topic %q", topic)
		}
	}
	return strings.ToUpper(strings.ReplaceAll(topic, "/", "_")), nil
}

// topicByte reports whether c may appear in a topic: an ASCII letter or
// digit, '_' or '/'.
func topicByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/'
}
