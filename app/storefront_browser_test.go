package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// storefrontSection is what the settings page's Storefront tracking shows.
type storefrontSection struct {
	Pixel, PixelBadge, PixelLabel, PixelDetail string
	Embed, EmbedBadge, EmbedLabel, EmbedDetail string
	Retry                                      bool
	RetryText, EditorHref, EditorTarget        string
}

const readStorefront = `(() => { const $ = id => document.getElementById(id); return {
	Pixel: $("pixel-status").dataset.state, PixelBadge: $("pixel-badge").textContent, PixelLabel: $("pixel-label").textContent, PixelDetail: $("pixel-detail").textContent,
	Embed: $("embed-status").dataset.state, EmbedBadge: $("embed-badge").textContent, EmbedLabel: $("embed-label").textContent, EmbedDetail: $("embed-detail").textContent,
	Retry: !$("pixel-retry").hidden, RetryText: $("pixel-retry").textContent,
	EditorHref: $("open-theme-editor").getAttribute("href"), EditorTarget: $("open-theme-editor").getAttribute("target")}; })()`

// TestStorefrontTrackingInBrowser opens the settings page of an installed
// shop (outside demo mode, App Bridge stood in for by a session token
// function) in each state of its pixel and theme embed — activation
// refused, waiting for the first event after "Try again", connected with
// the embed on — at desktop and phone width: each says what it means, the
// theme editor's link opens the top window at App embeds, and axe finds
// nothing.
func TestStorefrontTrackingInBrowser(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectPostgres)
	h := pixelHarness(t, st)
	const shop = "pixel-browser.myshopify.com"
	h.shopify.SetPixelDeployed(false)
	sh := h.installByExchange(shop)
	p := page{t, browser(t, 3*time.Minute)}
	axe := loadAxe(t)
	// App Bridge's idToken(), which the page's API calls use: the harness's
	// clock stands still, so one token lasts the test.
	token := h.sessionToken(shop)
	p.do("standing in for App Bridge", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
			Source: fmt.Sprintf(`window.shopify = { idToken: () => Promise.resolve(%s) };`, jsString(token))})
		return err
	}))
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {token}}.Encode()
	wantEditor := "https://" + shop + "/admin/themes/current/editor?activateAppId=" + testAPIKey + "%2Ffunnelscope&context=apps"

	open := func(width int64, state string) storefrontSection {
		t.Helper()
		what := fmt.Sprintf("settings at %d px with the pixel %s", width, state)
		p.do("opening "+what, chromedp.EmulateViewport(width, 900), chromedp.Navigate(h.srv.URL+"/settings?"+q))
		p.until(what, `document.getElementById("storefront-state").dataset.loaded === "true" && document.getElementById("pixel-status").dataset.state === `+jsString(state))
		var s storefrontSection
		p.eval(readStorefront, &s)
		if s.EditorHref != wantEditor || s.EditorTarget != "_top" {
			t.Errorf("%s: the theme editor link is %q (target %q), want %s in the top window", what, s.EditorHref, s.EditorTarget, wantEditor)
		}
		if loading := p.text(); strings.Contains(loading, "Checking…") {
			t.Errorf("%s: still says Checking…", what)
		}
		checkMarkup(t, p, what)
		p.axe(what, axe)
		return s
	}

	// Refused: the extension is not deployed.
	for _, w := range []int64{1280, 390} {
		s := open(w, "failed")
		if s.PixelBadge != "Not connected" || !strings.Contains(s.PixelDetail, "not been released") || !s.Retry || s.RetryText != "Try again" {
			t.Errorf("refused at %d px: %+v", w, s)
		}
		if s.Embed != "off" || s.EmbedLabel != "Off in Dawn" || !strings.Contains(s.EmbedDetail, "App embeds") {
			t.Errorf("embed at %d px: %+v", w, s)
		}
	}

	// Deployed now: Try again, and the page follows the job until the
	// pixel waits for its first event.
	h.shopify.SetPixelDeployed(true)
	p.do("trying again", chromedp.Click(chromedp.ID("pixel-retry")))
	p.until("the pixel on", `document.getElementById("pixel-status").dataset.state === "waiting"`)
	h.waitJobsDone()
	wantPixel(t, h, sh)
	for _, w := range []int64{1280, 390} {
		s := open(w, "waiting")
		if s.PixelLabel != "Waiting for the first storefront event" || s.Retry {
			t.Errorf("waiting at %d px: %+v", w, s)
		}
	}

	// Events arrive and the merchant turns the embed on.
	h.pixelEventAt(sh.ID, h.clock.Now().Add(-3*time.Minute))
	h.shopify.SetThemeEmbed(shop, shopifytest.EmbedOn)
	for _, w := range []int64{1280, 390} {
		s := open(w, "connected")
		if s.PixelLabel != "Connected — last event 3 minutes ago" || s.PixelBadge != "Connected" || s.Retry {
			t.Errorf("connected at %d px: %+v", w, s)
		}
		if s.Embed != "on" || s.EmbedLabel != "On in Dawn" || s.EmbedBadge != "On" {
			t.Errorf("embed on at %d px: %+v", w, s)
		}
	}
}
