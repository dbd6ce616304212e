// Test doubles for the pixel: a fake clock, fetch, Shopify analytics and
// privacy API, the built bundle run in its own context the way the strict
// sandbox runs it, and the repository's customer-event fixtures.
import * as esbuild from 'esbuild';
import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {buildOptions} from '../build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** fixturesDir is the repository's testdata/customer-events. */
export const fixturesDir = path.resolve(here, '..', '..', '..', 'testdata', 'customer-events');

/** fixture reads one customer-event fixture (a fresh copy each call). */
export function fixture(name) {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, name), 'utf8'));
}

/** APP_URL is the app URL the tests build the pixel with. */
export const APP_URL = 'https://app.example.test';
/** SHOP and KEY are the shop domain and pixel key of the fake init and settings. */
export const SHOP = 'example.myshopify.com';
export const KEY = 'pk_test_3f9a1c7e5b2d4f6a8c0e2b4d6f8a1c3e';

const bundles = new Map();
/** bundle builds the pixel (in memory) with the same options as npm run build. */
export async function bundle(appURL = APP_URL) {
  if (!bundles.has(appURL)) {
    const result = await esbuild.build({...buildOptions(appURL), write: false});
    if (result.outputFiles.length !== 1) throw new Error(`${result.outputFiles.length} output files, want 1`);
    bundles.set(appURL, result.outputFiles[0].text);
  }
  return bundles.get(appURL);
}

/** fakeClock is an injected timer: nothing runs until advance(ms) passes its time. */
export function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, {at: now + Math.max(0, Number(ms) || 0), fn});
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    pending: () => timers.size,
    // advance runs every timer due within ms, in time order, settling
    // promises between them.
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        let due = null;
        for (const [id, t] of timers) if (t.at <= end && (due === null || t.at < due[1].at)) due = [id, t];
        if (due === null) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
      await settle();
    },
  };
}

/** settle lets every pending promise reaction run (no time passes). */
export async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/**
 * fakeFetch records each call; answer(n, call) gives the n-th call's answer:
 * a status number, 'network' (a rejected promise, as fetch gives on a
 * network error), 'throw' (fetch throwing) or 'hang' (never settles).
 */
export function fakeFetch(answer = () => 204) {
  const calls = [];
  const fetch = (url, init) => {
    const call = {url, init: JSON.parse(JSON.stringify(init)), body: init.body};
    calls.push(call);
    const a = answer(calls.length, call);
    if (a === 'throw') throw new TypeError('Failed to fetch');
    if (a === 'network') return Promise.reject(new TypeError('Failed to fetch'));
    if (a === 'hang') return new Promise(() => {});
    return Promise.resolve({status: a, ok: a >= 200 && a < 300});
  };
  return {fetch, calls, bodies: () => calls.map((c) => JSON.parse(c.body))};
}

/** fakeAnalytics is a subscribe registry that delivers events the way Shopify's bus does. */
export function fakeAnalytics() {
  const subs = new Map();
  const api = {
    subscribe(name, cb) {
      if (!subs.has(name)) subs.set(name, []);
      subs.get(name).push(cb);
      return () => true;
    },
  };
  // fire delivers an event to the subscribers of `name` and of the
  // catch-all subscriptions of its type.
  function fire(name, event, type = event && event.type) {
    const names = [name, 'all_events'];
    if (type === 'custom') names.push('all_custom_events');
    if (type === 'standard') names.push('all_standard_events');
    if (type === 'dom') names.push('all_dom_events');
    for (const n of names) for (const cb of subs.get(n) || []) cb(event);
  }
  return {api, fire, subscriptions: () => [...subs.keys()]};
}

/** fakePrivacy is customerPrivacy's subscribe registry; consent(allowed) publishes visitorConsentCollected. */
export function fakePrivacy() {
  const subs = [];
  return {
    api: {
      subscribe(name, cb) {
        subs.push({name, cb});
        return () => true;
      },
    },
    subscriptions: () => subs.map((s) => s.name),
    consent(allowed) {
      const payload = {
        customerPrivacy: {analyticsProcessingAllowed: allowed, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false},
      };
      for (const s of subs) if (s.name === 'visitorConsentCollected') s.cb(payload);
    },
  };
}

/** initData is register's init for SHOP with analytics consent as given. */
export function initData({analytics = true, shop = SHOP} = {}) {
  return {
    context: fixture('page_viewed_home.json').context,
    data: {
      customer: null,
      cart: null,
      shop: {countryCode: 'US', myshopifyDomain: shop, name: 'Example Apparel', paymentSettings: {currencyCode: 'USD'}, storefrontUrl: 'https://example.myshopify.com'},
      purchasingCompany: null,
    },
    customerPrivacy: {analyticsProcessingAllowed: analytics, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false},
  };
}

/**
 * runPixel evaluates the built bundle in a fresh context whose only globals
 * are those of the strict sandbox the pixel uses (self, fetch, timers) and
 * Shopify's `shopify.extend`, then calls the registered callback with fake
 * analytics, browser, init, settings and customerPrivacy.
 */
export async function runPixel({appURL = APP_URL, analytics = true, settings = {accountID: KEY}, init, answer} = {}) {
  const code = await bundle(appURL);
  const clock = fakeClock();
  const net = fakeFetch(answer);
  const bus = fakeAnalytics();
  const privacy = fakePrivacy();
  const extended = [];
  const sandbox = {
    shopify: {extend: (point, cb) => extended.push({point, cb})},
    fetch: net.fetch,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    console,
  };
  sandbox.self = sandbox;
  vm.runInNewContext(code, sandbox, {filename: 'funnelscope-pixel.js'});
  if (extended.length !== 1 || extended[0].point !== 'WebPixel::Render') {
    throw new Error(`bundle registered ${JSON.stringify(extended.map((e) => e.point))}, want one WebPixel::Render`);
  }
  const browser = {cookie: {}, localStorage: {}, sessionStorage: {}, sendBeacon: () => Promise.resolve(false)};
  extended[0].cb({
    analytics: bus.api,
    browser,
    init: init || initData({analytics}),
    settings,
    customerPrivacy: privacy.api,
    _pixelInfo: {},
  });
  return {clock, net, bus, privacy, fire: bus.fire};
}

/** fireFixture delivers a fixture event under its own name, as Shopify does. */
export function fireFixture(pixel, event) {
  pixel.fire(event.name, event);
}
