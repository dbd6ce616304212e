/*
 * Funnelscope theme app embed. Publishes the funnelscope:* custom events of
 * Funnelscope's storefront contract with Shopify.analytics.publish, for the
 * Funnelscope web pixel to collect: scroll depth, gallery interaction,
 * reviews reached, variant selected, filter used, navigation clicks and the
 * cart token. Plain JS, no dependencies; listeners are passive, the scroll
 * handler reads only the scroll position once per frame, and every callback
 * is guarded so that nothing here throws into the theme. No event carries
 * personal data.
 */
(function () {
  'use strict';

  var THRESHOLDS = [25, 50, 75, 100];
  // Where themes put the product option pickers (Dawn: variant-selects,
  // older Dawn: variant-radios, Horizon: variant-picker).
  var OPTION_PICKERS = 'variant-selects, variant-radios, variant-picker, .variant-picker, [data-variant-picker], product-form, form[action*="/cart/add"]';
  // Theme events that announce a chosen variant (Horizon: variant:selected
  // and variant:update; Dawn-derived themes: variant:change).
  var VARIANT_EVENTS = ['variant:change', 'variant:selected', 'variant:update'];
  // Theme events that say the cart changed.
  var CART_EVENTS = ['shopify:cart:lines-update', 'cart:update', 'cart:change'];
  var OPTION_WAIT_MS = 1500; // an option change with no variant id after this publishes without one
  var ABSORB_MS = 10000; // ... and the id that arrives late after it is the same choice
  var FILTER_EVENT_WAIT_MS = 1000; // shopify:collection:update waits this long for its URL change
  var REVIEWS_WATCH_MS = 60000; // review apps insert their widget late; watch for it this long
  var SWIPE_PX = 20;

  // ---- pure helpers (exported for node --test) ----

  // depthPercent is how much of the page the viewport's bottom edge has
  // reached, 0–100, with 2 px of tolerance for fractional scroll offsets.
  function depthPercent(scrollY, viewportHeight, documentHeight) {
    if (!(documentHeight > 0)) return 0;
    var p = ((scrollY + viewportHeight + 2) / documentHeight) * 100;
    return p > 100 ? 100 : p < 0 ? 0 : p;
  }

  // newThresholds lists the thresholds reached at percent not yet in sent.
  function newThresholds(percent, sent) {
    var out = [];
    for (var i = 0; i < THRESHOLDS.length; i++) {
      var t = THRESHOLDS[i];
      if (percent >= t && !sent[t]) out.push(t);
    }
    return out;
  }

  // searchPairs turns a query string into [name, value] pairs.
  function searchPairs(search) {
    var out = [];
    String(search || '').replace(/^\?/, '').split('&').forEach(function (part) {
      if (!part) return;
      var i = part.indexOf('=');
      var k = i < 0 ? part : part.slice(0, i);
      var v = i < 0 ? '' : part.slice(i + 1);
      try {
        k = decodeURIComponent(k.replace(/\+/g, ' '));
        v = decodeURIComponent(v.replace(/\+/g, ' '));
      } catch (e) {
        return;
      }
      out.push([k, v]);
    });
    return out;
  }

  // isFilterParam tells Shopify's storefront filter and sort parameters.
  function isFilterParam(name) {
    return name === 'sort_by' || name.indexOf('filter.') === 0;
  }

  // filterState is the canonical form of the filter and sort parameters
  // among pairs: key compares two states, params names the parameters set
  // (names only, no values). Empty values (an unset price bound) don't count.
  function filterState(pairs) {
    var set = [];
    var names = [];
    for (var i = 0; i < pairs.length; i++) {
      var k = String(pairs[i][0]);
      var v = String(pairs[i][1]);
      if (!isFilterParam(k) || v === '') continue;
      set.push(k + '=' + v);
      if (names.indexOf(k) < 0) names.push(k);
    }
    set.sort();
    names.sort();
    return { key: set.join('&'), params: names };
  }

  // variantId is the numeric id in a variant id, GID or not ('' if none).
  function variantId(value) {
    if (value === null || value === undefined) return '';
    var m = /(\d+)\s*$/.exec(String(value));
    return m ? m[1] : '';
  }

  // pathOnly is the path of an http(s) link, without host, query or hash
  // (which can carry personal data); '' for other links (mailto:, tel:…).
  function pathOnly(href, base) {
    try {
      var u = new URL(href, base);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
      return u.pathname || '/';
    } catch (e) {
      return '';
    }
  }

  // cartToken is the token of a /cart.js answer without its "?key=" part
  // (the cart's access key, which Funnelscope has no use for); '' if none.
  function cartToken(body) {
    if (!body || typeof body.token !== 'string') return '';
    return body.token.split('?')[0].trim();
  }

  // eventVariantId finds the variant id a theme's variant event carries.
  function eventVariantId(detail) {
    if (!detail || typeof detail !== 'object') return '';
    var v = detail.variant || detail.resource || detail.selectedVariant;
    if (v && typeof v === 'object') return variantId(v.id);
    return variantId(detail.variantId || detail.variant_id || v);
  }

  var helpers = {
    THRESHOLDS: THRESHOLDS,
    depthPercent: depthPercent,
    newThresholds: newThresholds,
    searchPairs: searchPairs,
    filterState: filterState,
    variantId: variantId,
    pathOnly: pathOnly,
    cartToken: cartToken,
    eventVariantId: eventVariantId
  };

  if (typeof window === 'undefined' || typeof document === 'undefined') {
    if (typeof module === 'object' && module && module.exports) module.exports = helpers;
    return;
  }

  // ---- the storefront side ----

  function noop() {}

  function guard(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        return undefined;
      }
    };
  }

  function start(win, doc, script) {
    if (win.__funnelscopeEmbed) return;
    win.__funnelscopeEmbed = true;
    var data = (script && script.dataset) || {};
    var cfg = {
      pageType: data.pageType || '',
      gallery: (data.gallerySelector || '').trim(),
      reviews: (data.reviewsSelector || '').trim(),
      nav: (data.navSelector || '').trim()
    };
    var passive = { passive: true };
    var capture = { passive: true, capture: true };
    function on(target, type, fn, opts) {
      target.addEventListener(type, guard(fn), opts || passive);
    }
    function now() {
      return Date.now();
    }
    function closest(el, selector) {
      if (!selector || !el || el.nodeType !== 1) return null;
      try {
        return el.closest(selector);
      } catch (e) {
        return null; // a merchant's selector that is not valid CSS: that feature stays off
      }
    }
    function queryAll(selector) {
      if (!selector) return [];
      try {
        return Array.prototype.slice.call(doc.querySelectorAll(selector));
      } catch (e) {
        return [];
      }
    }
    function targetElement(e) {
      var t = e.target;
      return t && t.nodeType === 3 ? t.parentElement : t;
    }

    // publish sends one custom event; events wait in a short queue while
    // Shopify.analytics is not there yet.
    var queue = [];
    var retries = 0;
    var retryTimer = 0;
    function flush() {
      var a = win.Shopify && win.Shopify.analytics;
      if (!a || typeof a.publish !== 'function') {
        if (!retryTimer && retries < 20) {
          retries++;
          retryTimer = win.setTimeout(guard(function () {
            retryTimer = 0;
            flush();
          }), 500);
        }
        return;
      }
      while (queue.length) {
        var ev = queue.shift();
        try {
          a.publish('funnelscope:' + ev[0], ev[1]);
        } catch (e) {
          // the storefront's analytics refused it: nothing to do
        }
      }
    }
    function publish(name, payload) {
      if (queue.length < 50) queue.push([name, payload]);
      flush();
    }
    var once = {};
    function publishOnce(name, payload) {
      if (once[name]) return;
      once[name] = true;
      publish(name, payload);
    }

    // Scroll depth: once per threshold and page, measured only after the
    // shopper scrolls. The document height is read when the layout is
    // fresh (ResizeObserver), the scroll position once per frame.
    var depthSent = {};
    var docHeight = 0;
    var ticking = false;
    function measure() {
      docHeight = doc.documentElement.scrollHeight;
    }
    if (win.ResizeObserver && doc.body) {
      new win.ResizeObserver(guard(measure)).observe(doc.body);
    }
    var raf = win.requestAnimationFrame ? win.requestAnimationFrame.bind(win) : function (f) { return win.setTimeout(f, 16); };
    var onFrame = guard(function () {
      ticking = false;
      if (!docHeight) measure();
      var reached = newThresholds(depthPercent(win.scrollY || win.pageYOffset || 0, win.innerHeight, docHeight), depthSent);
      for (var i = 0; i < reached.length; i++) {
        depthSent[reached[i]] = true;
        publish('scroll_depth', { percent: reached[i] });
      }
      if (depthSent[100]) win.removeEventListener('scroll', onScroll, passive);
    });
    var onScroll = function () {
      if (!ticking) {
        ticking = true;
        raf(onFrame);
      }
    };
    win.addEventListener('scroll', onScroll, passive);

    // Gallery interaction: a click, or a touch that moves (a swipe), inside
    // the product media area; once per page.
    var touch = null;
    on(doc, 'click', function (e) {
      if (!once.gallery_interaction && closest(targetElement(e), cfg.gallery)) {
        publishOnce('gallery_interaction', { kind: 'click' });
      }
    }, capture);
    on(doc, 'touchstart', function (e) {
      touch = null;
      if (once.gallery_interaction || !e.touches || e.touches.length !== 1) return;
      if (closest(targetElement(e), cfg.gallery)) touch = { x: e.touches[0].clientX, y: e.touches[0].clientY };
    }, capture);
    on(doc, 'touchmove', function (e) {
      if (!touch || !e.touches || !e.touches.length) return;
      var dx = e.touches[0].clientX - touch.x;
      var dy = e.touches[0].clientY - touch.y;
      if (Math.abs(dx) > SWIPE_PX || Math.abs(dy) > SWIPE_PX) {
        touch = null;
        publishOnce('gallery_interaction', { kind: 'swipe' });
      }
    }, capture);
    on(doc, 'touchend', function () { touch = null; }, capture);
    on(doc, 'touchcancel', function () { touch = null; }, capture);

    // Reviews reached: the reviews widget comes on screen; once per page.
    // Review apps insert their widget late, so on product pages a
    // MutationObserver looks for it until it is found or for a while.
    function watchReviews() {
      if (!cfg.reviews || !win.IntersectionObserver) return;
      var watched = [];
      var mo = null;
      var stopTimer = 0;
      var scanTimer = 0;
      function stopWatching() {
        if (mo) mo.disconnect();
        mo = null;
        if (stopTimer) win.clearTimeout(stopTimer);
        if (scanTimer) win.clearTimeout(scanTimer);
      }
      var io = new win.IntersectionObserver(guard(function (entries) {
        for (var i = 0; i < entries.length; i++) {
          if (entries[i].isIntersecting) {
            publishOnce('reviews_reached', {});
            io.disconnect();
            stopWatching();
            return;
          }
        }
      }));
      function scan() {
        scanTimer = 0;
        var found = queryAll(cfg.reviews);
        for (var i = 0; i < found.length; i++) {
          if (watched.indexOf(found[i]) < 0) {
            watched.push(found[i]);
            io.observe(found[i]);
          }
        }
        if (watched.length) stopWatching();
      }
      scan();
      if (watched.length || !win.MutationObserver || (cfg.pageType && cfg.pageType !== 'product')) return;
      mo = new win.MutationObserver(guard(function () {
        if (!scanTimer) scanTimer = win.setTimeout(guard(scan), 200);
      }));
      mo.observe(doc.documentElement, { childList: true, subtree: true });
      stopTimer = win.setTimeout(guard(stopWatching), REVIEWS_WATCH_MS);
    }
    watchReviews();

    // Variant selected: each change of the selected variant, from the
    // product form's id input, the URL's variant parameter, the theme's
    // variant events or shopify:product:select. An option change whose
    // variant id never shows is published without one.
    function initialVariant() {
      var fromURL = '';
      searchPairs(win.location.search).forEach(function (p) {
        if (p[0] === 'variant') fromURL = variantId(p[1]);
      });
      if (fromURL) return fromURL;
      var input = queryAll('form[action*="/cart/add"] [name="id"]')[0];
      return input ? variantId(input.value) : '';
    }
    var lastVariant = initialVariant();
    var optionTimer = 0;
    var absorbUntil = 0;
    function variantChosen(id) {
      id = variantId(id);
      if (!id) return;
      if (optionTimer) {
        win.clearTimeout(optionTimer);
        optionTimer = 0;
      }
      if (id === lastVariant) return;
      lastVariant = id;
      if (absorbUntil && now() < absorbUntil) {
        absorbUntil = 0; // the late id of a choice already published
        return;
      }
      absorbUntil = 0;
      publish('variant_selected', { variantId: id });
    }
    function optionChosen() {
      absorbUntil = 0; // a new choice: a late id of the one before is not this one
      if (optionTimer) return;
      optionTimer = win.setTimeout(guard(function () {
        optionTimer = 0;
        absorbUntil = now() + ABSORB_MS;
        publish('variant_selected', {});
      }), OPTION_WAIT_MS);
    }
    on(doc, 'change', function (e) {
      var t = targetElement(e);
      if (!t || !t.name) return;
      if (t.name === 'id' && closest(t, 'form[action*="/cart/add"]')) {
        variantChosen(t.value);
      } else if (t.name !== 'quantity' && (t.tagName === 'INPUT' || t.tagName === 'SELECT') && closest(t, OPTION_PICKERS)) {
        optionChosen();
      }
    }, capture);
    VARIANT_EVENTS.forEach(function (type) {
      on(doc, type, function (e) {
        var id = eventVariantId(e.detail);
        if (id) variantChosen(id);
        else optionChosen();
      });
    });
    on(doc, 'shopify:product:select', function (e) {
      optionChosen();
      if (e.promise && typeof e.promise.then === 'function') {
        e.promise.then(guard(function (r) {
          if (r && r.variant) variantChosen(r.variant.id);
        }), noop);
      }
    });

    // Filter used: the collection's filter or sort parameters change (the
    // theme rewrites the URL, a filter form is submitted, or the theme
    // dispatches shopify:collection:update).
    var lastFilter = filterState(searchPairs(win.location.search)).key;
    var urlChangedAt = 0; // when a URL change published with no event waiting for it
    var eventTimer = 0;
    function filterChanged(state) {
      if (state.key === lastFilter) return;
      lastFilter = state.key;
      if (eventTimer) {
        win.clearTimeout(eventTimer); // the URL change of the event that waits
        eventTimer = 0;
        urlChangedAt = 0;
      } else {
        urlChangedAt = now();
      }
      publish('filter_used', { params: state.params });
    }
    function urlChanged() {
      var pairs = searchPairs(win.location.search);
      filterChanged(filterState(pairs));
      for (var i = 0; i < pairs.length; i++) {
        if (pairs[i][0] === 'variant') variantChosen(pairs[i][1]);
      }
    }
    ['pushState', 'replaceState'].forEach(function (name) {
      var h = win.history;
      var orig = h && h[name];
      if (typeof orig !== 'function') return;
      h[name] = function () {
        var r = orig.apply(this, arguments);
        guard(urlChanged)();
        return r;
      };
    });
    on(win, 'popstate', urlChanged);
    on(doc, 'submit', function (e) {
      var form = targetElement(e);
      if (!form || !form.elements || !win.FormData) return;
      var pairs = [];
      new win.FormData(form).forEach(function (v, k) {
        if (typeof v === 'string') pairs.push([k, v]);
      });
      var hasFilter = pairs.some(function (p) { return isFilterParam(p[0]); });
      if (hasFilter) filterChanged(filterState(pairs));
    }, capture);
    on(doc, 'shopify:collection:update', function () {
      if (urlChangedAt && now() - urlChangedAt < FILTER_EVENT_WAIT_MS) {
        urlChangedAt = 0; // the theme changed the URL just before: already published
        return;
      }
      urlChangedAt = 0;
      if (eventTimer) return;
      eventTimer = win.setTimeout(guard(function () {
        eventTimer = 0;
        publish('filter_used', { params: filterState(searchPairs(win.location.search)).params });
      }), FILTER_EVENT_WAIT_MS);
    });

    // Navigation: each click on a header or menu link, with its path only.
    on(doc, 'click', function (e) {
      if (!cfg.nav) return;
      var a = closest(targetElement(e), 'a[href]');
      if (!a) return;
      var inNav = false;
      try {
        inNav = a.matches(cfg.nav) || !!a.closest(cfg.nav);
      } catch (err) {
        return;
      }
      if (!inNav) return;
      var path = pathOnly(a.getAttribute('href'), win.location.href);
      if (path) publish('nav_clicked', { href: path });
    }, capture);

    // Cart token: /cart.js once per page load, and again after the theme
    // says the cart changed; published when there is one and it is new.
    var lastToken = '';
    var cartTimer = 0;
    function fetchCart() {
      cartTimer = 0;
      if (!win.fetch) return;
      var root = (win.Shopify && win.Shopify.routes && win.Shopify.routes.root) || '/';
      win.fetch(root + 'cart.js', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(guard(function (body) {
          var token = cartToken(body);
          if (token && token !== lastToken) {
            lastToken = token;
            publish('cart', { token: token });
          }
        }), noop)
        .catch(noop);
    }
    fetchCart();
    CART_EVENTS.forEach(function (type) {
      on(doc, type, function () {
        if (!cartTimer) cartTimer = win.setTimeout(guard(fetchCart), 500);
      });
    });
  }

  guard(start)(window, document, document.currentScript || document.querySelector('script[data-funnelscope-embed]'));
})();
