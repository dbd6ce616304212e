package shopifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// knownTopic reports whether topic is in the part of the
// WebhookSubscriptionTopic enum the fake accepts.
func knownTopic(topic string) bool {
	switch topic {
	case "CARTS_CREATE", "CARTS_UPDATE",
		"CHECKOUTS_CREATE", "CHECKOUTS_UPDATE", "CHECKOUTS_DELETE",
		"ORDERS_CREATE", "ORDERS_PAID", "ORDERS_UPDATED",
		"APP_UNINSTALLED", "APP_SCOPES_UPDATE", "SHOP_UPDATE", "THEMES_PUBLISH",
		"PRODUCTS_UPDATE", "DISCOUNTS_CREATE", "DISCOUNTS_UPDATE", "DISCOUNTS_DELETE":
		return true
	}
	return false
}

type graphQLRequest struct {
	Query     string                     `json:"query"`
	Variables map[string]json.RawMessage `json:"variables"`
}

// handleGraphQL serves POST /admin/api/{version}/graphql.json for the
// webhookSubscriptions query, the webhookSubscriptionCreate mutation, the
// shop's time zone and currency, the web pixel, the main theme and
// flowTriggerReceive.
func (s *Server) handleGraphQL(w http.ResponseWriter, r *http.Request) {
	shop := requestShop(r)
	if shop == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
		return
	}
	scope, live := s.liveAccessToken(shop, r.Header.Get("X-Shopify-Access-Token"))
	if !live {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req graphQLRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}})
		return
	}
	if s.takeThrottle() {
		writeJSON(w, http.StatusOK, map[string]any{
			"errors": []any{map[string]any{
				"message":    "Throttled",
				"extensions": map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
			}},
			"extensions": map[string]any{"cost": cost(10, nil, 0)},
		})
		return
	}
	switch {
	case strings.Contains(req.Query, "flowTriggerReceive"):
		s.count("flowTriggerReceive")
		s.flowTriggerReceive(w, shop, req)
	case strings.Contains(req.Query, "webPixelCreate"):
		s.count("webPixelCreate")
		s.createPixel(w, shop, scope, req)
	case strings.Contains(req.Query, "webPixelUpdate"):
		s.count("webPixelUpdate")
		s.updatePixel(w, shop, scope, req)
	case strings.Contains(req.Query, "webPixel"):
		s.count("webPixel")
		s.readPixel(w, shop, scope)
	case strings.Contains(req.Query, "themes("):
		s.count("themes")
		s.mainTheme(w, shop, scope)
	case strings.Contains(req.Query, "webhookSubscriptionCreate"):
		s.createSubscription(w, shop, req)
	case strings.Contains(req.Query, "webhookSubscriptions"):
		s.listSubscriptions(w, shop)
	case strings.Contains(req.Query, "ianaTimezone"):
		writeJSON(w, http.StatusOK, map[string]any{
			"data":       map[string]any{"shop": map[string]any{"ianaTimezone": s.ShopTimezone, "currencyCode": s.ShopCurrency}},
			"extensions": map[string]any{"cost": cost(1, nil, 1000)},
		})
	default:
		graphQLErrors(w, "This fake Shopify supports only webhookSubscriptions, webhookSubscriptionCreate, the shop's details, webPixel, webPixelCreate, webPixelUpdate, themes and flowTriggerReceive")
	}
}

// liveAccessToken returns the scopes of token and whether it is a live
// token of shop.
func (s *Server) liveAccessToken(shop, token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lt, ok := s.access[token]
	if !ok || token == "" || lt.shop != shop || !time.Now().Before(lt.expires) {
		return "", false
	}
	return lt.scope, true
}

// count records one answered request of a GraphQL operation.
func (s *Server) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops[op]++
}

func (s *Server) takeThrottle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttles > 0 {
		s.throttles--
		return true
	}
	return false
}

func (s *Server) listSubscriptions(w http.ResponseWriter, shop string) {
	subs := s.Subscriptions(shop)
	edges := make([]any, 0, len(subs))
	for _, sub := range subs {
		edges = append(edges, map[string]any{"node": map[string]any{"id": sub.ID, "topic": sub.Topic, "uri": sub.URI}})
	}
	actual := 2 + len(subs)
	writeJSON(w, http.StatusOK, map[string]any{
		"data": map[string]any{"webhookSubscriptions": map[string]any{
			"edges":    edges,
			"pageInfo": map[string]any{"hasNextPage": false, "endCursor": nil},
		}},
		"extensions": map[string]any{"cost": cost(102, &actual, 2000-actual)},
	})
}

func (s *Server) createSubscription(w http.ResponseWriter, shop string, req graphQLRequest) {
	var topic string
	var input struct {
		URI    string `json:"uri"`
		Format string `json:"format"`
	}
	if err := json.Unmarshal(req.Variables["topic"], &topic); err != nil || !knownTopic(topic) {
		graphQLErrors(w, "Variable $topic of type WebhookSubscriptionTopic! was provided invalid value")
		return
	}
	if err := json.Unmarshal(req.Variables["webhookSubscription"], &input); err != nil {
		graphQLErrors(w, "Variable $webhookSubscription of type WebhookSubscriptionInput! was provided invalid value")
		return
	}
	var userErrs []any
	var created any
	s.mu.Lock()
	if msg, ok := s.userErrors[topic]; ok {
		delete(s.userErrors, topic)
		userErrs = append(userErrs, userError(msg))
	} else if u, err := url.Parse(input.URI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		userErrs = append(userErrs, userError("Address is invalid"))
	} else if input.Format != "" && input.Format != "JSON" && input.Format != "XML" {
		userErrs = append(userErrs, userError("Format is invalid"))
	} else {
		for _, sub := range s.subs[shop] {
			if sub.Topic == topic && sub.URI == input.URI {
				userErrs = append(userErrs, userError("Address for this topic has already been taken"))
				break
			}
		}
		if len(userErrs) == 0 {
			s.nextID++
			sub := Subscription{ID: fmt.Sprintf("gid://shopify/WebhookSubscription/%d", 1000+s.nextID), Topic: topic, URI: input.URI}
			s.subs[shop] = append(s.subs[shop], sub)
			created = map[string]any{"id": sub.ID, "topic": sub.Topic, "uri": sub.URI, "format": "JSON"}
		}
	}
	s.mu.Unlock()
	if userErrs == nil {
		userErrs = []any{}
	}
	actual := 10
	writeJSON(w, http.StatusOK, map[string]any{
		"data": map[string]any{"webhookSubscriptionCreate": map[string]any{
			"webhookSubscription": created,
			"userErrors":          userErrs,
		}},
		"extensions": map[string]any{"cost": cost(10, &actual, 1990)},
	})
}

func userError(msg string) map[string]any {
	return map[string]any{"field": []string{"webhookSubscription", "callbackUrl"}, "message": msg}
}

func graphQLErrors(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{
		"message": msg, "locations": []any{map[string]int{"line": 1, "column": 1}},
	}}})
}

// cost is the extensions.cost object Shopify attaches to GraphQL answers.
func cost(requested int, actual *int, available int) map[string]any {
	return map[string]any{
		"requestedQueryCost": requested,
		"actualQueryCost":    actual,
		"throttleStatus": map[string]any{
			"maximumAvailable":   2000.0,
			"currentlyAvailable": available,
			"restoreRate":        100.0,
		},
	}
}
