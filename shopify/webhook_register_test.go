package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

const hookAddress = "https://app.example.com/webhooks"

// sevenTopics are what the tests register: seven topics an app may
// subscribe to through the Admin API.
func sevenTopics() []string {
	return []string{shopify.TopicCartsCreate, shopify.TopicCartsUpdate, shopify.TopicCheckoutsCreate,
		shopify.TopicCheckoutsUpdate, shopify.TopicCheckoutsDelete, shopify.TopicOrdersCreate, shopify.TopicAppUninstalled}
}

func topicsOf(subs []shopifytest.Subscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.Topic+" "+s.URI)
	}
	sort.Strings(out)
	return out
}

func TestRegisterWebhooksIdempotent(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	c := newClient(fake, time.Now(), nil)
	token := fake.IssueAccessToken(testShop)
	ctx := context.Background()
	gql := shopifytest.GraphQLPath(apiVersion)

	if err := c.RegisterWebhooks(ctx, testShop, token, hookAddress, sevenTopics()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"APP_UNINSTALLED " + hookAddress, "CARTS_CREATE " + hookAddress, "CARTS_UPDATE " + hookAddress,
		"CHECKOUTS_CREATE " + hookAddress, "CHECKOUTS_DELETE " + hookAddress, "CHECKOUTS_UPDATE " + hookAddress,
		"ORDERS_CREATE " + hookAddress,
	}
	if got := topicsOf(fake.Subscriptions(testShop)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("subscriptions = %v, want %v", got, want)
	}
	if n := fake.Calls(gql); n != 1+7 {
		t.Errorf("GraphQL calls = %d, want 1 list + 7 creates", n)
	}

	// Second run: only the listing, no duplicates.
	if err := c.RegisterWebhooks(ctx, testShop, token, hookAddress, sevenTopics()); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Subscriptions(testShop)); got != 7 {
		t.Errorf("after second run: %d subscriptions, want 7", got)
	}
	if n := fake.Calls(gql); n != 1+7+1 {
		t.Errorf("GraphQL calls after second run = %d, want 9", n)
	}

	// A new topic and a new address add only what is missing.
	if err := c.RegisterWebhooks(ctx, testShop, token, hookAddress, []string{"carts/create", "orders/paid"}); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Subscriptions(testShop)); got != 8 {
		t.Errorf("after adding orders/paid: %d subscriptions, want 8", got)
	}
	if err := c.RegisterWebhooks(ctx, testShop, token, hookAddress+"/v2", []string{"carts/create"}); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.Subscriptions(testShop)); got != 9 {
		t.Errorf("after new address: %d subscriptions, want 9", got)
	}
	// Other shops are separate.
	if got := len(fake.Subscriptions("other.myshopify.com")); got != 0 {
		t.Errorf("other shop has %d subscriptions", got)
	}
}

func TestRegisterWebhooksRetries(t *testing.T) {
	gql := shopifytest.GraphQLPath(apiVersion)
	cases := []struct {
		name      string
		inject    func(*shopifytest.Server)
		wantSleep []time.Duration
	}{
		{"429 honours Retry-After", func(s *shopifytest.Server) { s.FailNext(gql, http.StatusTooManyRequests, 2) },
			[]time.Duration{time.Second, time.Second}},
		{"503 backs off", func(s *shopifytest.Server) { s.FailNext(gql, http.StatusServiceUnavailable, 2) },
			[]time.Duration{500 * time.Millisecond, time.Second}},
		{"500 backs off", func(s *shopifytest.Server) { s.FailNext(gql, http.StatusInternalServerError, 1) },
			[]time.Duration{500 * time.Millisecond}},
		{"THROTTLED", func(s *shopifytest.Server) { s.ThrottleNext(2) },
			[]time.Duration{time.Second, time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := shopifytest.NewServer(t, testKey, testSecret)
			var slept []time.Duration
			c := newClient(fake, time.Now(), &slept)
			tc.inject(fake)
			err := c.RegisterWebhooks(context.Background(), testShop, fake.IssueAccessToken(testShop), hookAddress, []string{"carts/create"})
			if err != nil {
				t.Fatal(err)
			}
			if len(fake.Subscriptions(testShop)) != 1 {
				t.Errorf("subscriptions = %v", fake.Subscriptions(testShop))
			}
			if len(slept) != len(tc.wantSleep) {
				t.Fatalf("slept %v, want %v", slept, tc.wantSleep)
			}
			for i := range slept {
				if slept[i] != tc.wantSleep[i] {
					t.Errorf("sleep %d = %v, want %v", i, slept[i], tc.wantSleep[i])
				}
			}
		})
	}
}

func TestRegisterWebhooksGivesUp(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	gql := shopifytest.GraphQLPath(apiVersion)
	var slept []time.Duration
	c := newClient(fake, time.Now(), &slept)
	c.Retry.MaxAttempts = 3
	c.Retry.MaxDelay = 700 * time.Millisecond
	fake.FailNext(gql, http.StatusServiceUnavailable, 10)
	err := c.RegisterWebhooks(context.Background(), testShop, fake.IssueAccessToken(testShop), hookAddress, []string{"carts/create"})
	if err == nil {
		t.Fatal("persistent 503 did not fail")
	}
	if n := fake.Calls(gql); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
	if len(slept) != 2 || slept[1] != 700*time.Millisecond {
		t.Errorf("slept %v, want 2 waits capped at 700ms", slept)
	}

	// A cancelled context stops the waiting.
	fake2 := shopifytest.NewServer(t, testKey, testSecret)
	fake2.FailNext(gql, http.StatusTooManyRequests, 10)
	c2 := &shopify.Client{APIKey: testKey, Secret: testSecret, APIVersion: apiVersion, AdminOrigin: fake2.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := c2.RegisterWebhooks(ctx, testShop, fake2.IssueAccessToken(testShop), hookAddress, []string{"carts/create"}); err == nil {
		t.Fatal("expected an error")
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Errorf("retry wait ignored the context (%v)", time.Since(start))
	}
}

func TestRegisterWebhooksErrors(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	c := newClient(fake, time.Now(), nil)
	ctx := context.Background()
	token := fake.IssueAccessToken(testShop)

	// userErrors are surfaced with the topic.
	fake.UserErrorNext("checkouts/update", "Invalid topic")
	err := c.RegisterWebhooks(ctx, testShop, token, hookAddress, []string{"carts/create", "checkouts/update"})
	if err == nil || !strings.Contains(err.Error(), "checkouts/update") || !strings.Contains(err.Error(), "Invalid topic") {
		t.Errorf("user error: err = %v", err)
	}

	// Unknown/revoked token → re-authorize, without retrying and without the token in the text.
	gql := shopifytest.GraphQLPath(apiVersion)
	before := fake.Calls(gql)
	err = c.RegisterWebhooks(ctx, testShop, "shpat_revoked", hookAddress, []string{"carts/create"})
	if !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("bad token: err = %v, want ErrReauthorize", err)
	} else if strings.Contains(err.Error(), "shpat_revoked") {
		t.Error("error text contains the access token")
	}
	if n := fake.Calls(gql) - before; n != 1 {
		t.Errorf("401 was retried: %d calls", n)
	}
	fake.RevokeAccessTokens(testShop)
	if err := c.RegisterWebhooks(ctx, testShop, token, hookAddress, []string{"carts/create"}); !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("revoked token: err = %v, want ErrReauthorize", err)
	}
	// A token of another shop does not work here.
	other := fake.IssueAccessToken("other.myshopify.com")
	if err := c.RegisterWebhooks(ctx, testShop, other, hookAddress, []string{"carts/create"}); !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("other shop's token: err = %v, want ErrReauthorize", err)
	}

	live := fake.IssueAccessToken(testShop)
	for name, call := range map[string]func() error{
		"invalid shop":     func() error { return c.RegisterWebhooks(ctx, "evil.com", live, hookAddress, []string{"carts/create"}) },
		"invalid topic":    func() error { return c.RegisterWebhooks(ctx, testShop, live, hookAddress, []string{"carts create"}) },
		"unknown topic":    func() error { return c.RegisterWebhooks(ctx, testShop, live, hookAddress, []string{"nope/nope"}) },
		"relative address": func() error { return c.RegisterWebhooks(ctx, testShop, live, "/webhooks", []string{"carts/create"}) },
		"bad API version": func() error {
			bad := *c
			bad.APIVersion = "2025-1"
			return bad.RegisterWebhooks(ctx, testShop, live, hookAddress, []string{"carts/create"})
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTopicEnum(t *testing.T) {
	for in, want := range map[string]string{"carts/create": "CARTS_CREATE", "app/uninstalled": "APP_UNINSTALLED",
		"app/scopes_update": "APP_SCOPES_UPDATE", "CHECKOUTS_DELETE": "CHECKOUTS_DELETE"} {
		if got, err := shopify.TopicEnum(in); err != nil || got != want {
			t.Errorf("TopicEnum(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "carts create", "carts/create\n", "carts/create}"} {
		if _, err := shopify.TopicEnum(bad); err == nil {
			t.Errorf("TopicEnum(%q) accepted", bad)
		}
	}
}

func TestComplianceTopic(t *testing.T) {
	for _, topic := range []string{shopify.TopicCustomersDataRequest, shopify.TopicCustomersRedact, shopify.TopicShopRedact} {
		if !shopify.ComplianceTopic(topic) {
			t.Errorf("ComplianceTopic(%q) = false", topic)
		}
	}
	for _, topic := range append(sevenTopics(), shopify.TopicAppScopesUpdate, "CUSTOMERS_REDACT", "customers/redact ", "") {
		if shopify.ComplianceTopic(topic) {
			t.Errorf("ComplianceTopic(%q) = true", topic)
		}
	}
}
