package shopify

import (
	"fmt"
	"strings"
)

// Webhook topics the app handles, in Shopify's "resource/event" form.
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
)

// APITopics lists, comma-separated, the topics the app subscribes to through
// the Admin API (compliance topics can only be set in the app config).
const APITopics = TopicCartsCreate + "," + TopicCartsUpdate + "," + TopicCheckoutsCreate + "," +
	TopicCheckoutsUpdate + "," + TopicCheckoutsDelete + "," + TopicOrdersCreate + "," + TopicAppUninstalled

// DefaultTopics returns a fresh slice of the topics in APITopics.
func DefaultTopics() []string {
	return strings.Split(APITopics, ",")
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
