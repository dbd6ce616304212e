// The pixel itself: subscriptions, consent, batching and sending wired
// together. Nothing here throws into the storefront.
import {STANDARD_EVENTS, DOM_EVENTS, ALL_CUSTOM_EVENTS, keep, flushNow} from './events.js';
import {createBatcher, serialize, utf8Length} from './batcher.js';
import {createConsentGate} from './consent.js';
import {createSender} from './sender.js';
import {LIMITS, PLACEHOLDER_APP_URL, collectURL} from './config.js';

function str(v) {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * startPixel runs the pixel on register's api ({analytics, init, settings,
 * customerPrivacy}) with the worker's env ({fetch, setTimeout,
 * clearTimeout, appURL}) and returns its state for tests. Without a shop
 * domain, an accountID or a real app URL it subscribes to nothing.
 */
export function startPixel(api, env, limits = LIMITS) {
  const init = (api && api.init) || {};
  const shop = str(init.data && init.data.shop && init.data.shop.myshopifyDomain);
  const key = str(api && api.settings && api.settings.accountID);
  const base = str(env.appURL);
  if (!shop || !key || !base || base === PLACEHOLDER_APP_URL) return {active: false};

  let timer = null;
  const batcher = createBatcher({shop, key, maxEvents: limits.maxEvents, maxBytes: limits.maxBytes});
  const gate = createConsentGate(init.customerPrivacy, () => {
    batcher.clear();
    sender.clear();
    stopTimer();
  });
  const sender = createSender({
    url: collectURL(base),
    fetch: env.fetch,
    setTimeout: env.setTimeout,
    retryDelayMs: limits.retryDelayMs,
    maxInFlight: limits.maxInFlight,
    maxWaiting: limits.maxWaiting,
    allowed: () => gate.isOpen(),
    size: utf8Length,
  });

  function stopTimer() {
    if (timer !== null) env.clearTimeout(timer);
    timer = null;
  }

  function flush() {
    stopTimer();
    const body = batcher.flush();
    if (body !== null && gate.isOpen()) sender.send(body);
  }

  function onEvent(subscription, event) {
    if (!gate.isOpen() || !keep(subscription, event)) return;
    const json = serialize(event);
    if (json === null) return;
    for (const body of batcher.add(json)) sender.send(body);
    if (flushNow(subscription, event)) flush();
    else if (batcher.size() > 0 && timer === null) timer = env.setTimeout(safe(flush), limits.flushDelayMs);
    else if (batcher.size() === 0) stopTimer();
  }

  function safe(fn) {
    return (...args) => {
      try {
        fn(...args);
      } catch {
        // a pixel never throws into the storefront
      }
    };
  }

  const subscribe = (name) => {
    try {
      api.analytics.subscribe(name, safe((event) => onEvent(name, event)));
    } catch {
      // an unknown subscription name on an older runtime: skip it
    }
  };
  for (const name of STANDARD_EVENTS) subscribe(name);
  for (const name of DOM_EVENTS) subscribe(name);
  subscribe(ALL_CUSTOM_EVENTS);
  try {
    api.customerPrivacy.subscribe('visitorConsentCollected', safe((payload) => gate.update(payload)));
  } catch {
    // no privacy API: init.customerPrivacy alone decides
  }

  return {active: true, batcher, sender, gate, flush};
}
