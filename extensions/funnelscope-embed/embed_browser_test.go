package funnelscopeembed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/internal/testkit"
)

// The storefront these tests serve: three theme-like pages (testdata/),
// the embed's script as Shopify's CDN would serve it, and /cart.js. Each
// page gets, in its head, a recorder in place of Shopify.analytics.publish
// and a log of the page's uncaught errors, and, before </body>, the embed
// block's script tag rendered from blocks/funnelscope.liquid.

// cartJS is what the storefront's /cart.js answers: a token with the cart
// key Shopify appends, which the embed must not pass on.
const cartJS = `{"token":"c1-7f3a9b?key=0d5e8c","item_count":0,"items":[]}`

// recorder stands in for the storefront's analytics: it keeps each
// published event's name and a copy of its data.
const recorder = `<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
window.addEventListener('unhandledrejection', function (e) { window.__errors.push(String(e.reason)); });
window.__events = [];
(function () {
  // What the page still has to do: timers of under 10 s not yet run (the
  // script's delays are 0.2 to 1.5 s; its 60 s timer only stops watching
  // for reviews), animation frames not yet run, and fetches whose body has
  // not been read. settle waits for none to be left.
  var live = {}, next = 0, fetching = 0;
  function track(fn) {
    var key = ++next;
    live[key] = true;
    return { key: key, run: function (self, args) { delete live[key]; return fn.apply(self, args); } };
  }
  var setT = window.setTimeout, clearT = window.clearTimeout, timers = {};
  window.setTimeout = function (fn, ms) {
    if (typeof fn !== 'function' || ms >= 10000) return setT.apply(window, arguments);
    var t = track(fn), rest = Array.prototype.slice.call(arguments, 2);
    var id = setT.call(window, function () { delete timers[id]; return t.run(this, rest); }, ms);
    timers[id] = t.key;
    return id;
  };
  window.clearTimeout = function (id) {
    if (id in timers) { delete live[timers[id]]; delete timers[id]; }
    return clearT.call(window, id);
  };
  var raf = window.requestAnimationFrame, caf = window.cancelAnimationFrame, frames = {};
  window.requestAnimationFrame = function (fn) {
    var t = track(fn);
    var id = raf.call(window, function () { delete frames[id]; return t.run(this, arguments); });
    frames[id] = t.key;
    return id;
  };
  window.cancelAnimationFrame = function (id) {
    if (id in frames) { delete live[frames[id]]; delete frames[id]; }
    return caf.call(window, id);
  };
  var f = window.fetch;
  window.fetch = function () {
    fetching++;
    return f.apply(window, arguments).then(function (r) {
      var read = false;
      function done() { if (!read) { read = true; fetching--; } }
      ['json', 'text'].forEach(function (m) {
        var body = r[m].bind(r);
        r[m] = function () { var p = body(); p.then(done, done); return p; };
      });
      if (!r.ok) done();
      return r;
    }, function (e) { fetching--; throw e; });
  };
  window.__busy = function () { return Object.keys(live).length + fetching; };
})();
window.__record = function () {
  window.Shopify = window.Shopify || {};
  window.Shopify.routes = { root: '/' };
  window.Shopify.analytics = { publish: function (name, data) {
    window.__events.push({ name: name, data: JSON.parse(JSON.stringify(data)) });
    return true;
  } };
};
</script>`

// probe, put in the head before anything else when the page's query says
// probe=1, records the listeners the embed's script adds (while it runs,
// document.currentScript is its tag) and counts the reads of layout (the
// size and position properties and functions that force a layout when it
// is stale) from anywhere on the page.
const probe = `<script>
window.__listeners = [];
window.__layoutReads = 0;
(function () {
  var add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    var s = document.currentScript;
    if (s && /funnelscope-embed\.js$/.test(s.src)) {
      window.__listeners.push({ type: type, passive: !!(opts && opts.passive), target: this === window ? 'window' : this === document ? 'document' : String(this.nodeName) });
    }
    return add.apply(this, arguments);
  };
  function count(proto, name) {
    var d = Object.getOwnPropertyDescriptor(proto, name);
    Object.defineProperty(proto, name, { configurable: true, get: function () { window.__layoutReads++; return d.get.call(this); } });
  }
  ['scrollHeight', 'scrollWidth', 'clientHeight', 'clientWidth', 'clientTop', 'scrollTop'].forEach(function (n) { count(Element.prototype, n); });
  ['offsetHeight', 'offsetWidth', 'offsetTop', 'offsetLeft', 'innerText'].forEach(function (n) { count(HTMLElement.prototype, n); });
  ['getBoundingClientRect', 'getClientRects'].forEach(function (n) {
    var f = Element.prototype[n];
    Element.prototype[n] = function () { window.__layoutReads++; return f.apply(this, arguments); };
  });
  var style = window.getComputedStyle;
  window.getComputedStyle = function () { window.__layoutReads++; return style.apply(this, arguments); };
})();
</script>`

// storefront serves the pages. A page's query may say late=1 (the
// analytics appear only when the test calls __record, as on a storefront
// whose analytics load after the embed) and broken=1 (every selector
// setting is invalid CSS).
type storefront struct {
	*httptest.Server
	cartRequests   atomic.Int64
	cartWithCookie atomic.Int64
}

func newStorefront(t *testing.T) *storefront {
	t.Helper()
	s := &storefront{}
	pages := map[string]struct{ file, pageType string }{
		"/":                {"home.html", "index"},
		"/collections/all": {"collection.html", "collection"},
		"/products/tee":    {"product.html", "product"},
	}
	script, err := os.ReadFile(filepath.Join("assets", "funnelscope-embed.js"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/funnelscope-embed.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(script)
	})
	mux.HandleFunc("GET /cart.js", func(w http.ResponseWriter, r *http.Request) {
		s.cartRequests.Add(1)
		if c, err := r.Cookie("cart"); err == nil && c.Value == "c1-7f3a9b" {
			s.cartWithCookie.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(cartJS))
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		page, err := os.ReadFile(filepath.Join("testdata", p.file))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		settings := map[string]string{}
		if r.URL.Query().Get("broken") == "1" {
			settings = map[string]string{"gallery_selector": "media-gallery[", "reviews_selector": ":::", "nav_selector": "header a:has("}
		}
		embed, err := renderEmbed(p.pageType, settings)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		head := recorder
		if r.URL.Query().Get("probe") == "1" {
			head = probe + head
		}
		if r.URL.Query().Get("late") != "1" {
			head += "<script>window.__record();</script>"
		}
		out := strings.Replace(strings.Replace(string(page), "<!--HEAD-->", head, 1), "<!--EMBED-->", embed, 1)
		http.SetCookie(w, &http.Cookie{Name: "cart", Value: "c1-7f3a9b", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(out))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// liquidOutput matches one {{ … }} output of the block.
var liquidOutput = regexp.MustCompile(`\{\{-?\s*(.*?)\s*-?\}\}`)

// renderEmbed renders the block's markup as Shopify would for a page of
// pageType with the given settings (the schema's defaults for the rest):
// a tiny substitution of exactly the outputs the block uses. Any other
// Liquid in the markup is an error, so the block cannot grow what this
// rendering does not understand.
func renderEmbed(pageType string, settings map[string]string) (string, error) {
	src, err := os.ReadFile(filepath.Join("blocks", "funnelscope.liquid"))
	if err != nil {
		return "", err
	}
	markup, schemaText, ok := strings.Cut(string(src), "{% schema %}")
	if !ok {
		return "", fmt.Errorf("the block has no schema")
	}
	schemaText, _, _ = strings.Cut(schemaText, "{% endschema %}")
	var schema struct {
		Settings []struct {
			ID      string `json:"id"`
			Default string `json:"default"`
		} `json:"settings"`
	}
	if err := json.Unmarshal([]byte(schemaText), &schema); err != nil {
		return "", fmt.Errorf("the block's schema: %w", err)
	}
	values := map[string]string{}
	for _, s := range schema.Settings {
		values[s.ID] = s.Default
	}
	for k, v := range settings {
		values[k] = v
	}
	if _, rest, ok := strings.Cut(markup, "{%- endcomment -%}"); ok {
		markup = rest
	}
	var failed error
	out := liquidOutput.ReplaceAllStringFunc(markup, func(m string) string {
		expr := liquidOutput.FindStringSubmatch(m)[1]
		switch {
		case expr == `'funnelscope-embed.js' | asset_url`:
			return "/assets/funnelscope-embed.js"
		case expr == "request.page_type | escape":
			return html.EscapeString(pageType)
		case strings.HasPrefix(expr, "block.settings.") && strings.HasSuffix(expr, " | escape"):
			id := strings.TrimSuffix(strings.TrimPrefix(expr, "block.settings."), " | escape")
			v, ok := values[id]
			if !ok {
				failed = fmt.Errorf("the block reads setting %q, which its schema lacks", id)
			}
			return html.EscapeString(v)
		}
		failed = fmt.Errorf("the block's Liquid %q is not rendered by this test", m)
		return ""
	})
	if failed != nil {
		return "", failed
	}
	if strings.Contains(out, "{%") || strings.Contains(out, "{{") {
		return "", fmt.Errorf("unrendered Liquid left in the block: %s", out)
	}
	return strings.TrimSpace(out), nil
}

// TestRenderedBlockLoadsTheScriptDeferredWithItsSettings checks the block's
// tag as the browser tests serve it: deferred, with the page type and every
// setting as a data- attribute the script reads.
func TestRenderedBlockLoadsTheScriptDeferredWithItsSettings(t *testing.T) {
	t.Parallel()
	got, err := renderEmbed("product", map[string]string{"nav_selector": `nav a[href="/"]`})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`src="/assets/funnelscope-embed.js"`,
		"\n  defer\n",
		`data-page-type="product"`,
		`data-gallery-selector="media-gallery, slideshow-component, .product__media-wrapper, .product-media`,
		`data-reviews-selector="#judgeme_product_reviews, `,
		`data-nav-selector="nav a[href=&#34;/&#34;]"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the rendered block lacks %q:\n%s", want, got)
		}
	}
	script, err := os.ReadFile(filepath.Join("assets", "funnelscope-embed.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, attr := range regexp.MustCompile(`data-([a-z-]+)=`).FindAllStringSubmatch(got, -1) {
		camel := regexp.MustCompile(`-([a-z])`).ReplaceAllStringFunc(attr[1], func(s string) string { return strings.ToUpper(s[1:]) })
		if !strings.Contains(string(script), "data."+camel) {
			t.Errorf("the block writes data-%s, which the script never reads (data.%s)", attr[1], camel)
		}
	}
}

// event is one published event as the recorder kept it.
type event struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

func (e event) String() string { return e.Name + " " + string(e.Data) }

// ev is an expected event: its name and its data as JSON.
func ev(name, data string) string {
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		panic(err)
	}
	b, _ := json.Marshal(v)
	return name + " " + string(b)
}

// tab is one test's page in the shared browser.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (p tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p tab) eval(what, js string) {
	p.t.Helper()
	p.do(what, chromedp.Evaluate[chromedp.Void](js, chromedp.EvalAwaitPromise))
}

// events reads what the recorder kept, each event's data in canonical JSON.
func (p tab) events() []string {
	p.t.Helper()
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`JSON.stringify(window.__events || [])`))
	if err != nil {
		p.t.Fatalf("reading the recorder: %v", err)
	}
	var evs []event
	if err := json.Unmarshal([]byte(raw), &evs); err != nil {
		p.t.Fatalf("the recorder's events %s: %v", raw, err)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = ev(e.Name, string(e.Data))
	}
	return out
}

// waitCount polls the recorder until it holds at least n events.
func (p tab) waitCount(what string, n int) []string {
	p.t.Helper()
	for {
		got := p.events()
		if len(got) >= n {
			return got
		}
		select {
		case <-p.ctx.Done():
			p.t.Fatalf("%s: waited for %d events, got %d:\n%s", what, n, len(got), strings.Join(got, "\n"))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitFor polls the recorder until it holds as many events as want, then
// checks that they are exactly want, in order.
func (p tab) waitFor(what string, want ...string) {
	p.t.Helper()
	p.sameEvents(what, p.waitCount(what, len(want)), want)
}

func (p tab) sameEvents(what string, got, want []string) {
	p.t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		p.t.Fatalf("%s: published\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// settle waits until the page has nothing left to do that could publish
// (the recorder's __busy: no timer of the script's delays pending — an
// option change waits 1.5 s for its variant id, shopify:collection:update
// 1 s for its URL —, no animation frame, no fetch unread) also after two
// more frames, in which the observers deliver their notices; then it checks
// that the events are still exactly want: nothing more was published late,
// and the page threw nothing.
func (p tab) settle(want ...string) {
	p.t.Helper()
	for {
		p.do("waiting for the page's pending work", chromedp.Poll[chromedp.Void](`window.__busy() === 0`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
		p.frames()
		busy, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`window.__busy()`))
		if err != nil {
			p.t.Fatalf("reading the page's pending work: %v", err)
		}
		if busy == 0 {
			break
		}
	}
	p.sameEvents("after the script's delays", p.events(), want)
	p.noErrors()
}

func (p tab) noErrors() {
	p.t.Helper()
	errs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`window.__errors`))
	if err != nil {
		p.t.Fatalf("reading the page's errors: %v", err)
	}
	if len(errs) > 0 {
		p.t.Fatalf("the page threw: %v", errs)
	}
}

// frames waits for two animation frames, by which the browser has delivered
// every IntersectionObserver notice of the layout before.
func (p tab) frames() {
	p.t.Helper()
	p.eval("waiting two frames", `new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(function () { r(); }); }); })`)
}

func openTab(t *testing.T) tab {
	t.Helper()
	return tab{t: t, ctx: browser(t, 60*time.Second)}
}

var cartEvent = ev("funnelscope:cart", `{"token":"c1-7f3a9b"}`)

// TestHomeScrollDepthNavigationAndCart: the cart token once at load, each
// scroll threshold once, a click on a header link with its path only, and
// nothing for content links or mailto: links.
func TestHomeScrollDepthNavigationAndCart(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("opening the home page", chromedp.Navigate(s.URL+"/"))
	p.waitFor("at load", cartEvent)

	p.eval("scrolling past half the page", `window.scrollTo(0, Math.ceil(document.documentElement.scrollHeight * 0.55 - innerHeight))`)
	p.waitFor("scrolled past half", cartEvent,
		ev("funnelscope:scroll_depth", `{"percent":25}`), ev("funnelscope:scroll_depth", `{"percent":50}`))
	p.eval("scrolling to the bottom", `window.scrollTo(0, document.documentElement.scrollHeight)`)
	want := []string{cartEvent,
		ev("funnelscope:scroll_depth", `{"percent":25}`), ev("funnelscope:scroll_depth", `{"percent":50}`),
		ev("funnelscope:scroll_depth", `{"percent":75}`), ev("funnelscope:scroll_depth", `{"percent":100}`)}
	p.waitFor("scrolled to the bottom", want...)
	p.eval("scrolling up and down again", `window.scrollTo(0, 0); new Promise(function (r) { requestAnimationFrame(function () { window.scrollTo(0, document.documentElement.scrollHeight); requestAnimationFrame(function () { requestAnimationFrame(r); }); }); })`)
	p.sameEvents("after scrolling again", p.events(), want)

	p.do("clicking a link in the content and the mailto: link in the header",
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
		chromedp.Click(chromedp.ID("content-link")),
		chromedp.Click(chromedp.ID("nav-mail")),
		chromedp.Click(chromedp.ID("nav-shop")))
	want = append(want, ev("funnelscope:nav_clicked", `{"href":"/collections/all"}`))
	p.waitFor("clicked the header's shop link", want...)
	p.settle(want...)

	if n := s.cartRequests.Load(); n != 1 {
		t.Errorf("the page asked /cart.js %d times, want once", n)
	}
	if n := s.cartWithCookie.Load(); n != 1 {
		t.Errorf("/cart.js was asked %d times with the storefront's cookies, want 1", n)
	}
}

// TestListenersArePassiveAndScrollingReadsNoLayout: every listener the
// script adds is passive, and scrolling the page frame by frame, which
// publishes every threshold, reads no layout at all (the page height is
// read only when the layout is fresh, in a ResizeObserver callback).
func TestListenersArePassiveAndScrollingReadsNoLayout(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("opening the home page", chromedp.Navigate(s.URL+"/?probe=1"))
	p.waitFor("at load", cartEvent)

	type listener struct {
		Type, Target string
		Passive      bool
	}
	listeners, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]listener](`window.__listeners`))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, l := range listeners {
		types[l.Type] = true
		if !l.Passive {
			t.Errorf("the script's %s listener on %s is not passive", l.Type, l.Target)
		}
	}
	for _, want := range []string{"scroll", "touchstart", "touchmove", "click", "change", "submit", "popstate", "shopify:product:select", "shopify:collection:update"} {
		if !types[want] {
			t.Errorf("the probe saw no %s listener of the script (it saw %v): is it still recording?", want, types)
		}
	}

	p.eval("scrolling to the bottom in 40 frames", `(function () {
		var end = document.documentElement.scrollHeight - innerHeight;
		window.__layoutReads = 0;
		return new Promise(function (done) {
			var i = 0;
			(function step() {
				window.scrollTo(0, Math.ceil(end * i / 40));
				if (i++ === 40) { requestAnimationFrame(function () { requestAnimationFrame(done); }); return; }
				requestAnimationFrame(step);
			})();
		});
	})()`)
	reads, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`window.__layoutReads`))
	if err != nil {
		t.Fatal(err)
	}
	if reads != 0 {
		t.Errorf("scrolling read layout %d times, want none", reads)
	}
	p.waitFor("scrolled to the bottom", cartEvent,
		ev("funnelscope:scroll_depth", `{"percent":25}`), ev("funnelscope:scroll_depth", `{"percent":50}`),
		ev("funnelscope:scroll_depth", `{"percent":75}`), ev("funnelscope:scroll_depth", `{"percent":100}`))
	p.noErrors()
}

// TestProductGalleryVariantAndReviews: a gallery click (once), a variant
// choice that reaches the script three ways (id input, URL, theme event)
// published once with its id, shopify:product:select with and without a
// variant, a quantity change that is no variant, and the reviews section
// inserted late by a review app and reached only when scrolled to; the
// review stars near the title are not the section.
func TestProductGalleryVariantAndReviews(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("opening the product page", chromedp.Navigate(s.URL+"/products/tee"))
	p.waitFor("at load", cartEvent)

	for range 2 {
		p.do("clicking the gallery", chromedp.Click(chromedp.ID("media-1")))
	}
	want := []string{cartEvent, ev("funnelscope:gallery_interaction", `{"kind":"click"}`)}
	p.waitFor("clicked the gallery", want...)

	p.do("changing the quantity", chromedp.SetValue(chromedp.ID("quantity"), "2"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('quantity').dispatchEvent(new Event('change', { bubbles: true }))`))
	p.settle(want...)

	p.do("choosing Blue", chromedp.Click(chromedp.CSS(`label[for="color-blue"]`)))
	want = append(want, ev("funnelscope:variant_selected", `{"variantId":"102"}`))
	p.waitFor("chose Blue", want...)

	p.eval("a theme dispatching shopify:product:select for variant 103", `(function () {
		var e = new Event('shopify:product:select', { bubbles: true });
		e.selectedOptions = [{ name: 'Color', value: 'Green' }];
		e.promise = Promise.resolve({ variant: { id: 'gid://shopify/ProductVariant/103' } });
		document.querySelector('variant-selects').dispatchEvent(e);
	})()`)
	want = append(want, ev("funnelscope:variant_selected", `{"variantId":"103"}`))
	p.waitFor("selected variant 103", want...)

	p.eval("a review app inserting its widget at the bottom", `(function () {
		var d = document.createElement('div');
		d.id = 'judgeme_product_reviews';
		d.style.height = '400px';
		d.textContent = 'Reviews';
		document.getElementById('reviews-slot').appendChild(d);
	})()`)
	p.frames()
	p.sameEvents("before scrolling to the reviews", p.events(), want)

	p.eval("scrolling to the reviews", `document.getElementById('judgeme_product_reviews').scrollIntoView()`)
	// Scroll depth and reviews come from different observers: their order
	// between themselves is the browser's.
	reached := []string{ev("funnelscope:reviews_reached", `{}`),
		ev("funnelscope:scroll_depth", `{"percent":25}`), ev("funnelscope:scroll_depth", `{"percent":50}`),
		ev("funnelscope:scroll_depth", `{"percent":75}`), ev("funnelscope:scroll_depth", `{"percent":100}`)}
	got := p.waitCount("reached the reviews", len(want)+len(reached))
	want = append(want, sortedLike(got[len(want):], reached)...)
	p.sameEvents("reached the reviews", got, want)

	p.eval("a theme dispatching shopify:product:select with no matching variant", `(function () {
		var e = new Event('shopify:product:select', { bubbles: true });
		e.selectedOptions = [{ name: 'Color', value: 'Teal' }];
		e.promise = Promise.resolve({ variant: null });
		document.querySelector('variant-selects').dispatchEvent(e);
	})()`)
	want = append(want, ev("funnelscope:variant_selected", `{}`))
	p.waitFor("selected an option with no variant", want...)
	p.settle(want...)
}

// sortedLike returns want in the order its events appear in got when got
// holds exactly want's events (any order); otherwise want as it is, so
// that the comparison that follows fails and shows both.
func sortedLike(got, want []string) []string {
	if len(got) < len(want) {
		return want
	}
	left := map[string]int{}
	for _, w := range want {
		left[w]++
	}
	out := make([]string, 0, len(want))
	for _, g := range got[:len(want)] {
		if left[g] == 0 {
			return want
		}
		left[g]--
		out = append(out, g)
	}
	return out
}

// TestProductSwipeOnTouchScreens: on a touch screen, a swipe outside the
// gallery counts for nothing, a swipe on it counts once, and a tap after
// it adds nothing.
func TestProductSwipeOnTouchScreens(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	p.do("opening the product page", chromedp.Navigate(s.URL+"/products/tee"))
	p.waitFor("at load", cartEvent)

	swipe := func(what string, x, y float64) {
		p.t.Helper()
		p.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			for _, step := range []input.DispatchTouchEventParams{
				{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}},
				{Type: input.DispatchTouchEventTypeTouchMove, TouchPoints: []*input.TouchPoint{{X: x - 30, Y: y}}},
				{Type: input.DispatchTouchEventTypeTouchMove, TouchPoints: []*input.TouchPoint{{X: x - 80, Y: y}}},
				{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}},
			} {
				if _, err := cdp.Call(ctx, t, input.DispatchTouchEvent, step); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	box, err := chromedp.Run(p.ctx, chromedp.Evaluate[struct{ X, Y, Top float64 }](`(function () {
		var r = document.getElementById('gallery').getBoundingClientRect();
		var h = document.querySelector('h1').getBoundingClientRect();
		return { X: r.left + r.width * 0.75, Y: r.top + r.height / 2, Top: h.top + h.height / 2 };
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	swipe("swiping across the title", box.X, box.Top)
	swipe("swiping the gallery", box.X, box.Y)
	want := []string{cartEvent, ev("funnelscope:gallery_interaction", `{"kind":"swipe"}`)}
	p.waitFor("swiped the gallery", want...)
	p.do("tapping the gallery, then the home link", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, step := range []input.DispatchTouchEventParams{
			{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: box.X, Y: box.Y}}},
			{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}},
		} {
			if _, err := cdp.Call(ctx, t, input.DispatchTouchEvent, step); err != nil {
				return err
			}
		}
		return nil
	}), chromedp.Click(chromedp.ID("nav-home")))
	want = append(want, ev("funnelscope:nav_clicked", `{"href":"/"}`))
	p.waitFor("tapped the gallery and the home link", want...)
	p.noErrors()
}

// TestCollectionFilters: every change of the filter or sort state, however
// the theme makes it (pushState, replaceState, a submitted filter form,
// shopify:collection:update before, after or without a URL change, the
// back button), is one filter_used naming the parameters set; a URL change
// that leaves the filters as they were (the next page) is none.
func TestCollectionFilters(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("opening the collection", chromedp.Navigate(s.URL+"/collections/all"))
	p.waitFor("at load", cartEvent)
	filter := func(params string) string { return ev("funnelscope:filter_used", `{"params":`+params+`}`) }

	p.do("ticking In stock", chromedp.Click(chromedp.ID("availability")))
	want := []string{cartEvent, filter(`["filter.v.availability","sort_by"]`)}
	p.waitFor("ticked In stock", want...)

	p.do("sorting by price", chromedp.SetValue(chromedp.ID("sort"), "price-ascending"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('sort').dispatchEvent(new Event('change', { bubbles: true }))`))
	want = append(want, filter(`["filter.v.availability","sort_by"]`))
	p.waitFor("sorted", want...)

	p.eval("going to the next page", `history.pushState({}, '', location.search + '&page=2')`)
	p.do("filtering by colour with the form", chromedp.SetValue(chromedp.ID("color"), "Blue"), chromedp.Click(chromedp.ID("apply")))
	want = append(want, filter(`["filter.v.availability","filter.v.option.color","sort_by"]`))
	p.waitFor("submitted the filter form (then the theme pushed the same state)", want...)

	p.eval("a theme changing the URL, then dispatching shopify:collection:update", `(function () {
		history.pushState({}, '', '?filter.v.option.color=Red&sort_by=price-ascending');
		document.getElementById('filters').dispatchEvent(new Event('shopify:collection:update', { bubbles: true }));
	})()`)
	want = append(want, filter(`["filter.v.option.color","sort_by"]`))
	p.waitFor("URL then event", want...)

	p.eval("a theme dispatching shopify:collection:update, then changing the URL", `(function () {
		document.getElementById('filters').dispatchEvent(new Event('shopify:collection:update', { bubbles: true }));
		setTimeout(function () { history.pushState({}, '', '?filter.v.option.color=Green'); }, 100);
	})()`)
	want = append(want, filter(`["filter.v.option.color"]`))
	p.waitFor("event then URL", want...)

	p.eval("a theme dispatching shopify:collection:update and leaving the URL", `document.getElementById('filters').dispatchEvent(new Event('shopify:collection:update', { bubbles: true }))`)
	want = append(want, filter(`["filter.v.option.color"]`))
	p.waitFor("event alone", want...)

	p.eval("going back", `history.back()`)
	want = append(want, filter(`["filter.v.option.color","sort_by"]`))
	p.waitFor("went back to the red filter", want...)
	p.settle(want...)
}

// TestBadSettingsAndLateAnalyticsThrowNothing: with every selector setting
// invalid CSS, the features they drive stay silent and the rest work; with
// Shopify.analytics appearing only after the script ran, the events wait
// for it; and the page never sees an error.
func TestBadSettingsAndLateAnalyticsThrowNothing(t *testing.T) {
	t.Parallel()
	s := newStorefront(t)
	p := openTab(t)
	p.do("opening the product page", chromedp.Navigate(s.URL+"/products/tee?broken=1&late=1"))
	p.do("clicking the gallery and the header link before analytics exist",
		chromedp.Click(chromedp.ID("media-1")), chromedp.Click(chromedp.ID("nav-home")))
	p.eval("the storefront's analytics arriving", `window.__record()`)
	p.waitFor("analytics arrived", cartEvent)
	p.eval("scrolling to the bottom", `window.scrollTo(0, document.documentElement.scrollHeight)`)
	want := []string{cartEvent,
		ev("funnelscope:scroll_depth", `{"percent":25}`), ev("funnelscope:scroll_depth", `{"percent":50}`),
		ev("funnelscope:scroll_depth", `{"percent":75}`), ev("funnelscope:scroll_depth", `{"percent":100}`)}
	p.waitFor("scrolled", want...)
	p.settle(want...)
}

// chromium is the test binary's one headless Chromium; TestMain stops it.
var chromium testkit.Chromium

func TestMain(m *testing.M) {
	code := m.Run()
	chromium.Stop()
	os.Exit(code)
}

// browser opens a tab in the shared Chromium (testkit.Chromium.Tab), in a
// browser context of its own, bounded by timeout. Chromium resolves no host
// but 127.0.0.1: the page reaches only the test's storefront.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	return chromium.Tab(t, timeout)
}
