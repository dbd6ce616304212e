package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// statusJSON is GET /api/storefront/status as the tests read it.
type statusJSON struct {
	Pixel struct {
		State, Label, Detail string
		LastEventAt          *time.Time `json:"last_event_at"`
		WebPixelID           string     `json:"web_pixel_id"`
		ErrorCode            string     `json:"error_code"`
		CanRetry             bool       `json:"can_retry"`
	}
	Embed struct {
		State, Label, Detail, Theme string
	}
	ThemeEditorURL string `json:"theme_editor_url"`
}

// pixelHarness is the app asking for its real scopes, with a stand-in
// Shopify that grants them.
func pixelHarness(t *testing.T, st *store.Store) *harness {
	t.Helper()
	h := newHarness(t, st, func(c *app.Config) { c.Scopes = app.DefaultScopes })
	h.shopify.GrantScopes = app.DefaultScopes
	return h
}

// installByExchange installs shop as Shopify-managed installation does (the
// first embedded load) and waits until the install's jobs are done.
func (h *harness) installByExchange(shop string) store.Shop {
	h.t.Helper()
	resp, body := h.get("/?embedded=1&shop=" + shop + "&id_token=" + h.sessionToken(shop))
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("first embedded load: %d %s", resp.StatusCode, body)
	}
	h.waitJobsDone()
	s, err := h.store.ShopByDomain(h.t.Context(), shop)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// storefrontStatus reads GET /api/storefront/status for shop.
func (h *harness) storefrontStatus(shop string) statusJSON {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/storefront/status", shop, nil)
	var s statusJSON
	if err := json.Unmarshal(body, &s); resp.StatusCode != http.StatusOK || err != nil {
		h.t.Fatalf("/api/storefront/status: %d %s (%v)", resp.StatusCode, body, err)
	}
	return s
}

// pixelEventAt records that the shop's pixel delivered a batch at t, as
// POST /collect does on a commit (pixel_keys.last_event_at).
func (h *harness) pixelEventAt(shopID int64, at time.Time) {
	h.t.Helper()
	if _, err := h.store.DB().ExecContext(h.t.Context(), "UPDATE pixel_keys SET last_event_at = $1 WHERE shop_id = $2", at.UTC(), shopID); err != nil {
		h.t.Fatal(err)
	}
}

// wantPixel fails unless the stand-in holds shop's pixel with the shop's key.
func wantPixel(t *testing.T, h *harness, sh store.Shop) string {
	t.Helper()
	key, err := h.store.EnsurePixelKey(t.Context(), sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	id, settings, ok := h.shopify.WebPixel(sh.Domain)
	want, _ := json.Marshal(map[string]string{"accountID": key})
	if !ok || settings != string(want) {
		t.Fatalf("the shop's pixel in Shopify: %v %s, want the settings %s", ok, settings, want)
	}
	return id
}

// TestInstallActivatesPixel: the install queues activate_pixel beside the
// webhooks; it creates the shop's pixel key and the pixel with it, and the
// status follows the pixel from "waiting" to "connected" to "quiet", and
// the embed from off to on.
func TestInstallActivatesPixel(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := pixelHarness(t, st)
		const shop = "pixel-new.myshopify.com"
		h.installByExchange("pixel-other.myshopify.com")
		sh := h.installByExchange(shop)
		id := wantPixel(t, h, sh)
		if h.shopify.Operations("webPixelCreate") != 2 || h.shopify.Operations("webPixelUpdate") != 0 {
			t.Errorf("creates %d, updates %d; want one create for each of the two shops", h.shopify.Operations("webPixelCreate"), h.shopify.Operations("webPixelUpdate"))
		}
		act, ok, err := st.PixelActivationOf(t.Context(), sh.ID)
		if err != nil || !ok || act.State != store.PixelActive || act.WebPixelID != id || act.ErrorCode != "" {
			t.Fatalf("activation = %+v %v %v", act, ok, err)
		}
		if len(h.shopify.Subscriptions(shop)) != 12 {
			t.Errorf("the webhooks were not registered beside the pixel")
		}
		key, _ := st.EnsurePixelKey(t.Context(), sh.ID)
		if strings.Contains(h.logText(), key) {
			t.Error("the pixel key reached the logs")
		}

		s := h.storefrontStatus(shop)
		if s.Pixel.State != "waiting" || s.Pixel.Label != "Waiting for the first storefront event" || s.Pixel.WebPixelID != id || s.Pixel.CanRetry {
			t.Errorf("pixel status after install = %+v", s.Pixel)
		}
		if s.Embed.State != "off" || s.Embed.Theme != "Dawn" || !strings.Contains(s.Embed.Detail, "App embeds") {
			t.Errorf("embed status before it is turned on = %+v", s.Embed)
		}
		if want := "https://" + shop + "/admin/themes/current/editor?activateAppId=" + testAPIKey + "%2Ffunnelscope&context=apps"; s.ThemeEditorURL != want {
			t.Errorf("theme editor link = %s, want %s", s.ThemeEditorURL, want)
		}

		h.shopify.SetThemeEmbed(shop, shopifytest.EmbedOn)
		h.pixelEventAt(sh.ID, h.clock.Now().Add(-3*time.Minute))
		s = h.storefrontStatus(shop)
		if s.Pixel.State != "connected" || s.Pixel.Label != "Connected — last event 3 minutes ago" || s.Pixel.LastEventAt == nil {
			t.Errorf("pixel status with a recent event = %+v", s.Pixel)
		}
		if s.Embed.State != "on" || s.Embed.Label != "On in Dawn" {
			t.Errorf("embed status once on = %+v", s.Embed)
		}

		h.clock.Add(pixelDay + time.Minute)
		h.shopify.SetThemeEmbed(shop, shopifytest.EmbedOff)
		s = h.storefrontStatus(shop)
		if s.Pixel.State != "quiet" || !strings.Contains(s.Pixel.Detail, "1 day ago") || !s.Pixel.CanRetry {
			t.Errorf("pixel status a day after the last event = %+v", s.Pixel)
		}
		if s.Embed.State != "off" {
			t.Errorf("embed status once turned off = %+v", s.Embed)
		}

		// Another shop sees nothing of this one.
		other := h.storefrontStatus("pixel-other.myshopify.com")
		if other.Pixel.State == "connected" || other.Pixel.WebPixelID == id {
			t.Errorf("another shop's status shows this shop's pixel: %+v", other.Pixel)
		}
	})
}

// pixelDay is how recent the last event must be for "connected".
const pixelDay = 24 * time.Hour

// TestActivationUpdatesAnExistingPixel: a pixel the shop already has (an
// earlier install, another key) is updated with the shop's key, not made
// again; running the job again changes nothing.
func TestActivationUpdatesAnExistingPixel(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := pixelHarness(t, st)
		const shop = "pixel-old.myshopify.com"
		old := h.shopify.SetWebPixel(shop, `{"accountID":"from-an-earlier-install"}`)
		sh := h.installByExchange(shop)
		if id := wantPixel(t, h, sh); id != old {
			t.Errorf("pixel %s, want the existing %s updated", id, old)
		}
		if h.shopify.Operations("webPixelCreate") != 0 || h.shopify.Operations("webPixelUpdate") != 1 {
			t.Errorf("creates %d, updates %d; want one update", h.shopify.Operations("webPixelCreate"), h.shopify.Operations("webPixelUpdate"))
		}
		if err := h.app.ActivatePixel(t.Context(), shop, false); err != nil {
			t.Fatal(err)
		}
		if h.shopify.Operations("webPixelCreate")+h.shopify.Operations("webPixelUpdate") != 1 {
			t.Errorf("running the activation again wrote the pixel again")
		}
	})
}

// TestActivationNotDeployed: before the pixel extension is deployed,
// webPixelCreate answers NO_EXTENSION: the job records it, is not retried,
// and the status says what it means; "Try again" once it is deployed
// turns the pixel on.
func TestActivationNotDeployed(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := pixelHarness(t, st)
		const shop = "pixel-early.myshopify.com"
		h.shopify.SetPixelDeployed(false)
		sh := h.installByExchange(shop)
		act, _, _ := st.PixelActivationOf(t.Context(), sh.ID)
		if act.State != store.PixelFailed || act.ErrorCode != "NO_EXTENSION" || act.ErrorMessage == "" {
			t.Fatalf("activation = %+v", act)
		}
		if n := h.shopify.Operations("webPixelCreate"); n != 1 {
			t.Errorf("webPixelCreate was tried %d times, want once (a refusal is not retried)", n)
		}
		s := h.storefrontStatus(shop)
		if s.Pixel.State != "failed" || s.Pixel.ErrorCode != "NO_EXTENSION" || !s.Pixel.CanRetry ||
			!strings.Contains(s.Pixel.Detail, "not been released") || !strings.Contains(s.Pixel.Detail, "Try again") {
			t.Errorf("status = %+v", s.Pixel)
		}

		h.shopify.SetPixelDeployed(true)
		resp, body := h.api(http.MethodPost, "/api/storefront/activate", shop, nil)
		if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(body), `"state":"pending"`) {
			t.Fatalf("POST /api/storefront/activate: %d %s", resp.StatusCode, body)
		}
		h.waitJobsDone()
		wantPixel(t, h, sh)
		if s := h.storefrontStatus(shop); s.Pixel.State != "waiting" {
			t.Errorf("status after trying again = %+v", s.Pixel)
		}
	})
}

// TestActivationWithoutScopes: a shop whose token lacks the pixel's scopes
// (installed before the app asked for them) gets a clear "approve the
// access" state, not a retry loop.
func TestActivationWithoutScopes(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st) // asks for and is granted read_orders only
		const shop = "pixel-scopeless.myshopify.com"
		sh := h.installByExchange(shop)
		act, _, _ := st.PixelActivationOf(t.Context(), sh.ID)
		if act.State != store.PixelFailed || act.ErrorCode != "ACCESS_DENIED" {
			t.Fatalf("activation = %+v", act)
		}
		s := h.storefrontStatus(shop)
		if s.Pixel.State != "failed" || !strings.Contains(s.Pixel.Detail, "approve") {
			t.Errorf("status = %+v", s.Pixel)
		}
		if s.Embed.State != "unknown" || s.Embed.Label != "Could not be checked" {
			t.Errorf("embed status without read_themes = %+v", s.Embed)
		}
		if _, _, ok := h.shopify.WebPixel(shop); ok {
			t.Error("a pixel was made without the scopes")
		}
	})
}

// TestActivationRetries: 429s are waited out within an attempt; a passing
// failure Shopify reports (UNEXPECTED_ERROR) is retried by River; on the
// last attempt it is recorded as unreachable.
func TestActivationRetries(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := pixelHarness(t, st)
		const shop = "pixel-busy.myshopify.com"
		sh := h.installByExchange(shop)
		gql := shopifytest.GraphQLPath("2026-10")

		// 429 twice: the same attempt waits them out and makes the pixel.
		h.shopify.DeletePixel(shop)
		calls := h.shopify.Calls(gql)
		h.shopify.FailNext(gql, http.StatusTooManyRequests, 2)
		if resp, body := h.api(http.MethodPost, "/api/storefront/activate", shop, nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("activate: %d %s", resp.StatusCode, body)
		}
		h.waitJobsDone()
		wantPixel(t, h, sh)
		// The status's theme read is one call; the job's read and create two;
		// the two 429s the rest.
		if n := h.shopify.Calls(gql) - calls; n != 5 {
			t.Errorf("%d GraphQL calls, want 5 (two 429s, the read and create, the status's theme read)", n)
		}
		if h.shopify.Operations("webPixelCreate") != 2 {
			t.Errorf("webPixelCreate answered %d times, want 2 (install, then again)", h.shopify.Operations("webPixelCreate"))
		}

		// Shopify fails on its side once: River tries the job again.
		h.shopify.DeletePixel(shop)
		h.shopify.PixelUserErrorNext("UNEXPECTED_ERROR", "Something went wrong.")
		if resp, body := h.api(http.MethodPost, "/api/storefront/activate", shop, nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("activate: %d %s", resp.StatusCode, body)
		}
		h.waitJobsDone()
		wantPixel(t, h, sh)
		if act, _, _ := st.PixelActivationOf(t.Context(), sh.ID); act.State != store.PixelActive {
			t.Errorf("after River's retry: %+v", act)
		}

		// A passing failure leaves the state pending with its words; on the
		// last attempt it is failed as unreachable.
		h.shopify.DeletePixel(shop)
		h.shopify.PixelUserErrorNext("UNEXPECTED_ERROR", "Something went wrong.")
		if err := h.app.ActivatePixel(t.Context(), shop, false); err == nil {
			t.Fatal("a failed attempt succeeded")
		}
		if act, _, _ := st.PixelActivationOf(t.Context(), sh.ID); act.State != store.PixelPending || !strings.Contains(act.ErrorMessage, "Something went wrong") {
			t.Errorf("after a passing failure: %+v", act)
		}
		if s := h.storefrontStatus(shop); s.Pixel.State != "pending" || !strings.Contains(s.Pixel.Detail, "tries again") {
			t.Errorf("status after a passing failure: %+v", s.Pixel)
		}
		h.shopify.PixelUserErrorNext("UNEXPECTED_ERROR", "Something went wrong.")
		if err := h.app.ActivatePixel(t.Context(), shop, true); err == nil {
			t.Fatal("a failed last attempt succeeded")
		}
		if act, _, _ := st.PixelActivationOf(t.Context(), sh.ID); act.State != store.PixelFailed || act.ErrorCode != "UNREACHABLE" {
			t.Errorf("after the last attempt: %+v", act)
		}
	})
}

// TestStorefrontStatusNeedsSession: the status and the activation answer
// only a verified session token, and the demo has no pixel to connect.
func TestStorefrontStatusNeedsSession(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := pixelHarness(t, st)
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			path := map[string]string{http.MethodGet: "/api/storefront/status", http.MethodPost: "/api/storefront/activate"}[method]
			req, _ := http.NewRequest(method, h.srv.URL+path, nil)
			if resp, _ := h.do(req); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d", method, path, resp.StatusCode)
			}
		}
		h2 := newHarness(t, openStore(t, st.Dialect()), func(c *app.Config) { c.Demo, c.DemoShop = true, "pixel-demo.myshopify.com" })
		h2.install("pixel-demo.myshopify.com")
		if resp, body := h2.api(http.MethodPost, "/api/storefront/activate", "pixel-demo.myshopify.com", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("demo activate: %d %s", resp.StatusCode, body)
		}
		s := h2.storefrontStatus("pixel-demo.myshopify.com")
		if s.Pixel.CanRetry || s.Embed.State != "unknown" || h2.shopify.Calls(shopifytest.GraphQLPath("2026-10")) != 0 {
			t.Errorf("demo status %+v called Shopify %d times", s, h2.shopify.Calls(shopifytest.GraphQLPath("2026-10")))
		}
	})
}
