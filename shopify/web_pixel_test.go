package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

// pixelScopes are the scopes the pixel calls need.
const pixelScopes = "read_orders,write_pixels,read_customer_events,read_themes"

func pixelFake(t *testing.T) (*shopifytest.Server, string) {
	t.Helper()
	fake := shopifytest.NewServer(t, testKey, testSecret)
	fake.GrantScopes = pixelScopes
	token := fake.IssueAccessToken(testShop)
	return fake, token
}

// TestEnsureWebPixelCreatesUpdatesAndKeeps: no pixel → webPixelCreate with
// the key as a JSON-encoded settings string; the same key again → nothing
// written; a new key → webPixelUpdate of the same pixel.
func TestEnsureWebPixelCreatesUpdatesAndKeeps(t *testing.T) {
	fake, token := pixelFake(t)
	c := newClient(fake, time.Now(), nil)
	ctx := context.Background()

	px, outcome, err := c.EnsureWebPixel(ctx, testShop, token, "key-one")
	if err != nil || outcome != shopify.PixelCreated || px.ID == "" || px.AccountID != "key-one" {
		t.Fatalf("first EnsureWebPixel = %+v, %q, %v", px, outcome, err)
	}
	id, settings, ok := fake.WebPixel(testShop)
	if !ok || id != px.ID || settings != `{"accountID":"key-one"}` {
		t.Fatalf("the fake holds %q %q %v", id, settings, ok)
	}

	again, outcome, err := c.EnsureWebPixel(ctx, testShop, token, "key-one")
	if err != nil || outcome != shopify.PixelUnchanged || again != px {
		t.Fatalf("second EnsureWebPixel = %+v, %q, %v", again, outcome, err)
	}
	if n := fake.Operations("webPixelCreate") + fake.Operations("webPixelUpdate"); n != 1 {
		t.Errorf("%d pixel mutations, want only the first create", n)
	}

	moved, outcome, err := c.EnsureWebPixel(ctx, testShop, token, "key-two")
	if err != nil || outcome != shopify.PixelUpdated || moved.ID != px.ID || moved.AccountID != "key-two" {
		t.Fatalf("EnsureWebPixel with a new key = %+v, %q, %v", moved, outcome, err)
	}
	if _, settings, _ := fake.WebPixel(testShop); settings != `{"accountID":"key-two"}` {
		t.Errorf("after the update the fake holds %s", settings)
	}
	if fake.Operations("webPixelUpdate") != 1 {
		t.Errorf("webPixelUpdate ran %d times, want 1", fake.Operations("webPixelUpdate"))
	}
}

// TestEnsureWebPixelUpdatesAnExistingPixel: a pixel made before (another
// install, another key) is updated, not created again.
func TestEnsureWebPixelUpdatesAnExistingPixel(t *testing.T) {
	fake, token := pixelFake(t)
	old := fake.SetWebPixel(testShop, `{"accountID":"stale"}`)
	c := newClient(fake, time.Now(), nil)
	px, outcome, err := c.EnsureWebPixel(context.Background(), testShop, token, "fresh")
	if err != nil || outcome != shopify.PixelUpdated || px.ID != old || px.AccountID != "fresh" {
		t.Fatalf("EnsureWebPixel = %+v, %q, %v", px, outcome, err)
	}
	if fake.Operations("webPixelCreate") != 0 {
		t.Errorf("webPixelCreate ran beside an existing pixel")
	}
}

// TestEnsureWebPixelRefusals: each refusal is a *PixelError with Shopify's
// code, not retried, and nothing is stored.
func TestEnsureWebPixelRefusals(t *testing.T) {
	t.Run("not deployed", func(t *testing.T) {
		fake, token := pixelFake(t)
		fake.SetPixelDeployed(false)
		c := newClient(fake, time.Now(), nil)
		_, _, err := c.EnsureWebPixel(context.Background(), testShop, token, "k")
		pe, ok := errors.AsType[*shopify.PixelError](err)
		if !ok || pe.Code != shopify.PixelNoExtension || pe.Op != "webPixelCreate" || pe.Retryable() {
			t.Fatalf("err = %v, want a NO_EXTENSION PixelError", err)
		}
		if fake.Operations("webPixelCreate") != 1 {
			t.Errorf("webPixelCreate ran %d times, want once", fake.Operations("webPixelCreate"))
		}
		if _, _, ok := fake.WebPixel(testShop); ok {
			t.Error("a pixel was stored")
		}
		fake.SetPixelDeployed(true)
		if _, outcome, err := c.EnsureWebPixel(context.Background(), testShop, token, "k"); err != nil || outcome != shopify.PixelCreated {
			t.Errorf("after deploying: %q, %v", outcome, err)
		}
	})
	t.Run("missing scopes", func(t *testing.T) {
		fake := shopifytest.NewServer(t, testKey, testSecret)
		token := fake.IssueAccessToken(testShop) // read_orders only
		c := newClient(fake, time.Now(), nil)
		_, _, err := c.EnsureWebPixel(context.Background(), testShop, token, "k")
		pe, ok := errors.AsType[*shopify.PixelError](err)
		if !ok || pe.Code != shopify.PixelAccessDenied || pe.Retryable() {
			t.Fatalf("err = %v, want an ACCESS_DENIED PixelError", err)
		}
	})
	t.Run("read but not write", func(t *testing.T) {
		fake := shopifytest.NewServer(t, testKey, testSecret)
		fake.GrantScopes = "read_orders,read_pixels"
		token := fake.IssueAccessToken(testShop)
		c := newClient(fake, time.Now(), nil)
		_, _, err := c.EnsureWebPixel(context.Background(), testShop, token, "k")
		if pe, ok := errors.AsType[*shopify.PixelError](err); !ok || pe.Code != shopify.PixelAccessDenied || pe.Op != "webPixelCreate" {
			t.Fatalf("err = %v, want webPixelCreate's ACCESS_DENIED", err)
		}
	})
	t.Run("empty key", func(t *testing.T) {
		fake, token := pixelFake(t)
		c := newClient(fake, time.Now(), nil)
		if _, _, err := c.EnsureWebPixel(context.Background(), testShop, token, ""); err == nil {
			t.Fatal("an empty key was sent")
		}
		if fake.Calls(shopifytest.GraphQLPath(apiVersion)) != 0 {
			t.Error("an empty key reached Shopify")
		}
	})
	t.Run("revoked token", func(t *testing.T) {
		fake, token := pixelFake(t)
		fake.RevokeAccessTokens(testShop)
		c := newClient(fake, time.Now(), nil)
		if _, _, err := c.EnsureWebPixel(context.Background(), testShop, token, "k"); !errors.Is(err, shopify.ErrReauthorize) {
			t.Fatalf("err = %v, want ErrReauthorize", err)
		}
	})
}

// TestEnsureWebPixelRetries: 429s (Retry-After) and THROTTLED are waited
// out and the pixel is made once.
func TestEnsureWebPixelRetries(t *testing.T) {
	for name, inject := range map[string]func(*shopifytest.Server){
		"429": func(s *shopifytest.Server) {
			s.FailNext(shopifytest.GraphQLPath(apiVersion), http.StatusTooManyRequests, 2)
		},
		"THROTTLED": func(s *shopifytest.Server) { s.ThrottleNext(2) },
	} {
		t.Run(name, func(t *testing.T) {
			fake, token := pixelFake(t)
			var slept []time.Duration
			c := newClient(fake, time.Now(), &slept)
			inject(fake)
			px, outcome, err := c.EnsureWebPixel(context.Background(), testShop, token, "k")
			if err != nil || outcome != shopify.PixelCreated || px.AccountID != "k" {
				t.Fatalf("EnsureWebPixel = %+v, %q, %v", px, outcome, err)
			}
			if len(slept) != 2 || slept[0] != time.Second {
				t.Errorf("slept %v, want two waits of 1s", slept)
			}
			if fake.Operations("webPixelCreate") != 1 {
				t.Errorf("webPixelCreate answered %d times, want 1", fake.Operations("webPixelCreate"))
			}
		})
	}
}

// TestFakeRejectsBadPixelSettings: the stand-in checks settings as Shopify
// does against the extension's definition.
func TestFakeRejectsBadPixelSettings(t *testing.T) {
	fake, token := pixelFake(t)
	for _, tc := range []struct {
		settings any
		code     string
	}{
		{`{"accountID":`, "INVALID_CONFIGURATION_JSON"},
		{`{"accountID":""}`, "INVALID_SETTINGS"},
		{`{"accountID":"k","extra":"x"}`, "INVALID_SETTINGS"},
		{`{"accountId":"k"}`, "INVALID_SETTINGS"},
		{map[string]any{"accountID": 5}, "INVALID_SETTINGS"},
		{nil, "BLANK"},
	} {
		code, msg := shopifytest.RawPixelCreate(t, fake, testShop, token, apiVersion, tc.settings)
		if code != tc.code || msg == "" {
			t.Errorf("settings %v: code %q (%q), want %s", tc.settings, code, msg, tc.code)
		}
	}
	if _, _, ok := fake.WebPixel(testShop); ok {
		t.Error("bad settings made a pixel")
	}
	if code, _ := shopifytest.RawPixelCreate(t, fake, testShop, token, apiVersion, map[string]any{"accountID": "obj"}); code != "" {
		t.Errorf("settings as an object: %q", code)
	}
	if _, settings, _ := fake.WebPixel(testShop); settings != `{"accountID":"obj"}` {
		t.Errorf("stored settings %s", settings)
	}
}

// TestMainThemeEmbed reads each state of the app embed from the main
// theme's settings_data.json.
func TestMainThemeEmbed(t *testing.T) {
	fake, token := pixelFake(t)
	c := newClient(fake, time.Now(), nil)
	ctx := context.Background()
	for _, tc := range []struct {
		state            shopifytest.EmbedState
		present, enabled bool
		theme            bool
	}{
		{shopifytest.EmbedAbsent, false, false, true},
		{shopifytest.EmbedOn, true, true, true},
		{shopifytest.EmbedOff, true, false, true},
		{shopifytest.NoMainTheme, false, false, false},
	} {
		fake.SetThemeEmbed(testShop, tc.state)
		got, err := c.MainThemeEmbed(ctx, testShop, token, "funnelscope")
		if err != nil || got.Present != tc.present || got.Enabled != tc.enabled || (got.ThemeID != "") != tc.theme {
			t.Errorf("state %d: %+v, %v", tc.state, got, err)
		}
	}
	fake.SetThemeEmbed(testShop, shopifytest.EmbedOn)
	if got, err := c.MainThemeEmbed(ctx, testShop, token, "reviews"); err != nil || got.Present {
		t.Errorf("another handle: %+v, %v", got, err)
	}

	fake.GrantScopes = "read_orders"
	if _, err := c.MainThemeEmbed(ctx, testShop, fake.IssueAccessToken(testShop), "funnelscope"); !errors.Is(err, shopify.ErrNoThemeAccess) {
		t.Errorf("without read_themes: %v", err)
	}
}

// TestEmbedInSettings covers the shapes settings_data.json takes.
func TestEmbedInSettings(t *testing.T) {
	const block = `"type":"shopify://apps/funnelscope/blocks/funnelscope/abc"`
	for _, tc := range []struct {
		name, content    string
		present, enabled bool
		bad              bool
	}{
		{"comment header, on", "/* auto-generated */\n{\"current\":{\"blocks\":{\"1\":{" + block + ",\"disabled\":false}}}}", true, true, false},
		{"disabled", `{"current":{"blocks":{"1":{` + block + `,"disabled":true}}}}`, true, false, false},
		{"no disabled key", `{"current":{"blocks":{"1":{` + block + `}}}}`, true, true, false},
		{"current names a preset", `{"current":"Default","presets":{"Default":{"blocks":{"1":{` + block + `}}}}}`, true, true, false},
		{"no blocks", `{"current":{}}`, false, false, false},
		{"handle as a prefix only", `{"current":{"blocks":{"1":{"type":"shopify://apps/x/blocks/funnelscope-old/abc"}}}}`, false, false, false},
		{"not JSON", `/* x */ {"current":`, false, false, true},
		{"unterminated comment", `/* x {"current":{}}`, false, false, true},
	} {
		present, enabled, err := shopify.EmbedInSettings([]byte(tc.content), "funnelscope")
		if present != tc.present || enabled != tc.enabled || (err != nil) != tc.bad {
			t.Errorf("%s: present %v enabled %v err %v", tc.name, present, enabled, err)
		}
	}
}
