package shopify

import (
	"context"
	"fmt"
	goshopify "github.com/bold-commerce/go-shopify/v4"
	"net/url"
	"strings"
)

const webhookSubscriptionsQuery = `query webhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    edges { node { id topic uri } }
    pageInfo { hasNextPage endCursor }
  }
}`

const webhookSubscriptionCreateMutation = `mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`

// maxSubscriptionPages bounds the listing of existing subscriptions.
const maxSubscriptionPages = 20

type webhookSubscriptionNode struct {
	ID    string `json:"id"`
	Topic string `json:"topic"`
	URI   string `json:"uri"`
}

type webhookSubscriptionsData struct {
	WebhookSubscriptions struct {
		Edges []struct {
			Node webhookSubscriptionNode `json:"node"`
		} `json:"edges"`
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
	} `json:"webhookSubscriptions"`
}

type webhookSubscriptionCreateData struct {
	WebhookSubscriptionCreate struct {
		WebhookSubscription *webhookSubscriptionNode `json:"webhookSubscription"`
		UserErrors          []struct {
			Field   []string `json:"field"`
			Message string   `json:"message"`
		} `json:"userErrors"`
	} `json:"webhookSubscriptionCreate"`
}

// RegisterWebhooks makes sure shop has a JSON webhook subscription to
// address for each topic ("carts/create" form). It lists the existing
// subscriptions first and creates only the missing ones, so it is safe to
// run again. It uses the GraphQL Admin API through go-shopify's transport,
// retrying on 429/5xx/THROTTLED; a 401 wraps ErrReauthorize and a user error
// names the topic.
func (c *Client) RegisterWebhooks(ctx context.Context, shop, accessToken, address string, topics []string) error {
	u, err := url.Parse(address)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("shopify: registering webhooks: address is not an absolute URL")
	}
	enums := make([]string, 0, len(topics))
	for _, t := range topics {
		e, err := TopicEnum(t)
		if err != nil {
			return fmt.Errorf("shopify: registering webhooks: %w", err)
		}
		enums = append(enums, e)
	}
	gs, err := c.adminClient(shop, accessToken)
	if err != nil {
		return fmt.Errorf("shopify: registering webhooks: %w", err)
	}
	existing, err := c.listWebhookSubscriptions(ctx, gs)
	if err != nil {
		return fmt.Errorf("shopify: listing webhook subscriptions: %w", err)
	}
	for i, enum := range enums {
		if existing[enum+" "+address] {
			continue
		}
		var data webhookSubscriptionCreateData
		vars := map[string]any{
			"topic":               enum,
			"webhookSubscription": map[string]any{"uri": address, "format": "JSON"},
		}
		if err := c.graphQL(ctx, gs, webhookSubscriptionCreateMutation, vars, &data); err != nil {
			return fmt.Errorf("shopify: creating webhook subscription for %s: %w", topics[i], err)
		}
		if ues := data.WebhookSubscriptionCreate.UserErrors; len(ues) > 0 {
			msgs := make([]string, 0, len(ues))
			for _, ue := range ues {
				msgs = append(msgs, ue.Message)
			}
			return fmt.Errorf("shopify: creating webhook subscription for %s: %s", topics[i], strings.Join(msgs, "; "))
		}
		if data.WebhookSubscriptionCreate.WebhookSubscription == nil {
			return fmt.Errorf("shopify: creating webhook subscription for %s: no subscription in the answer", topics[i])
		}
		existing[enum+" "+address] = true
	}
	return nil
}

// listWebhookSubscriptions returns the set of "TOPIC uri" pairs the shop has.
func (c *Client) listWebhookSubscriptions(ctx context.Context, gs *goshopify.Client) (map[string]bool, error) {
	out := map[string]bool{}
	var after any // null on the first page
	for page := 0; page < maxSubscriptionPages; page++ {
		var data webhookSubscriptionsData
		if err := c.graphQL(ctx, gs, webhookSubscriptionsQuery, map[string]any{"after": after}, &data); err != nil {
			return nil, err
		}
		for _, e := range data.WebhookSubscriptions.Edges {
			out[e.Node.Topic+" "+e.Node.URI] = true
		}
		pi := data.WebhookSubscriptions.PageInfo
		if !pi.HasNextPage || pi.EndCursor == "" {
			return out, nil
		}
		after = pi.EndCursor
	}
	return out, nil
}
