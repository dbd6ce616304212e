// The built pixel driven through register's callback with fake analytics,
// privacy, timers and fetch.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {runPixel, fixture, fixturesDir, fireFixture, APP_URL, SHOP, KEY} from './harness.js';
import {STANDARD_EVENTS, DOM_EVENTS} from '../src/events.js';
import {LIMITS} from '../src/config.js';

const utf8 = (s) => Buffer.byteLength(s, 'utf8');
// A small event (no context) so that the count, not the bytes, fills a post.
const small = (i) => {
  const {context, ...e} = fixture('funnelscope_scroll_depth.json');
  assert.ok(context);
  return {...e, name: 'product_viewed', type: 'standard', id: `sh-test-${i}`, data: {}};
};

test('subscribes to the standard events, the DOM events it needs, all custom events and consent', async () => {
  const p = await runPixel();
  assert.deepEqual(new Set(p.bus.subscriptions()), new Set([...STANDARD_EVENTS, ...DOM_EVENTS, 'all_custom_events']));
  for (const name of ['page_viewed', 'product_viewed', 'product_added_to_cart', 'checkout_started', 'checkout_contact_info_submitted',
    'checkout_address_info_submitted', 'checkout_shipping_info_submitted', 'payment_info_submitted', 'checkout_completed']) {
    assert.ok(p.bus.subscriptions().includes(name), name);
  }
  assert.deepEqual(p.privacy.subscriptions(), ['visitorConsentCollected']);
});

test('posts DESIGN.md\'s body to /collect with keepalive, text/plain and no credentials', async () => {
  const p = await runPixel();
  const event = fixture('page_viewed_home.json');
  fireFixture(p, event);
  await p.clock.advance(0);
  assert.equal(p.net.calls.length, 1);
  const [call] = p.net.calls;
  assert.equal(call.url, `${APP_URL}/collect`);
  assert.deepEqual(call.init, {method: 'POST', keepalive: true, credentials: 'omit', headers: {'Content-Type': 'text/plain'}, body: call.body});
  assert.equal(typeof call.body, 'string');
  const body = JSON.parse(call.body);
  assert.deepEqual(Object.keys(body), ['shop', 'key', 'events']);
  assert.deepEqual(body, {shop: SHOP, key: KEY, events: [fixture('page_viewed_home.json')]});
  assert.equal(call.body, JSON.stringify(body), 'compact JSON, the event as delivered');
});

test('flushes on the timer, not before', async () => {
  const p = await runPixel();
  fireFixture(p, fixture('product_viewed.json'));
  fireFixture(p, fixture('funnelscope_gallery_interaction.json'));
  await p.clock.advance(LIMITS.flushDelayMs - 1);
  assert.equal(p.net.calls.length, 0, 'sent before the timer');
  await p.clock.advance(1);
  assert.equal(p.net.calls.length, 1);
  assert.deepEqual(p.net.bodies()[0].events.map((e) => e.name), ['product_viewed', 'funnelscope:gallery_interaction']);
  await p.clock.advance(60_000);
  assert.equal(p.net.calls.length, 1, 'sent twice');
});

test('the next page_viewed sends what is queued at once, with itself', async () => {
  const p = await runPixel();
  fireFixture(p, fixture('product_viewed.json'));
  fireFixture(p, fixture('funnelscope_reviews_reached.json'));
  await p.clock.advance(500);
  assert.equal(p.net.calls.length, 0);
  fireFixture(p, fixture('page_viewed_cart.json'));
  await p.clock.advance(0);
  assert.equal(p.net.calls.length, 1);
  assert.deepEqual(p.net.bodies()[0].events.map((e) => e.name), ['product_viewed', 'funnelscope:reviews_reached', 'page_viewed']);
  assert.equal(p.clock.pending(), 0, 'a flush timer left behind');
});

test('batches by count: at most 200 events a post, none lost or repeated', async () => {
  const p = await runPixel();
  for (let i = 0; i < 450; i++) fireFixture(p, small(i));
  await p.clock.advance(0);
  assert.deepEqual(p.net.bodies().map((b) => b.events.length), [200, 200]);
  await p.clock.advance(LIMITS.flushDelayMs);
  const bodies = p.net.bodies();
  assert.deepEqual(bodies.map((b) => b.events.length), [200, 200, 50]);
  assert.deepEqual(bodies.flatMap((b) => b.events.map((e) => e.id)), Array.from({length: 450}, (_, i) => `sh-test-${i}`));
});

test('batches by bytes: no post over 64 KiB, each as full as the next event allows', async () => {
  const p = await runPixel();
  const events = [];
  for (let i = 0; i < 40; i++) {
    // 3 to 9 KB of customData, with multi-byte characters so that bytes, not characters, must be counted
    const e = {...fixture('funnelscope_variant_selected.json'), id: `sh-big-${i}`, customData: {note: 'é€'.repeat(600 + 300 * (i % 5))}};
    events.push(e);
    fireFixture(p, e);
  }
  await p.clock.advance(LIMITS.flushDelayMs);
  const raw = p.net.calls.map((c) => c.body);
  assert.ok(raw.length >= 4, `${raw.length} posts`);
  for (const [i, body] of raw.entries()) {
    assert.ok(utf8(body) <= 64 * 1024, `post ${i} is ${utf8(body)} bytes`);
    if (i < raw.length - 1) {
      const next = JSON.parse(raw[i + 1]).events[0];
      assert.ok(utf8(body) + 1 + utf8(JSON.stringify(next)) > 64 * 1024, `post ${i} (${utf8(body)} bytes) had room for the next event`);
    }
  }
  assert.deepEqual(raw.flatMap((b) => JSON.parse(b).events), events);
});

test('an event too big for a post on its own is dropped, the rest sent', async () => {
  const p = await runPixel();
  fireFixture(p, fixture('product_viewed.json'));
  fireFixture(p, {...fixture('funnelscope_filter_used.json'), customData: {blob: 'x'.repeat(70 * 1024)}});
  fireFixture(p, fixture('funnelscope_gallery_interaction.json'));
  await p.clock.advance(LIMITS.flushDelayMs);
  assert.deepEqual(p.net.bodies().flatMap((b) => b.events.map((e) => e.name)), ['product_viewed', 'funnelscope:gallery_interaction']);
});

test('forwards link clicks and choice inputs only, never typed text', async () => {
  const p = await runPixel();
  fireFixture(p, fixture('clicked.json')); // a link: sent at once
  const noLink = fixture('clicked.json');
  noLink.data.element.href = null;
  noLink.id = 'sh-nolink';
  fireFixture(p, noLink);
  fireFixture(p, fixture('input_changed.json')); // a size radio
  const email = fixture('input_changed.json');
  Object.assign(email.data.element, {id: 'email', name: 'email', type: 'email', value: 'ana.shopper@example.com'});
  email.id = 'sh-email';
  fireFixture(p, email);
  const select = fixture('input_changed.json');
  Object.assign(select.data.element, {tagName: 'SELECT', type: 'select-one', name: 'sort_by', value: 'price-ascending'});
  select.id = 'sh-select';
  fireFixture(p, select);
  await p.clock.advance(LIMITS.flushDelayMs);
  const sent = p.net.bodies().flatMap((b) => b.events.map((e) => e.id));
  assert.deepEqual(sent, [fixture('clicked.json').id, fixture('input_changed.json').id, 'sh-select']);
  assert.ok(!p.net.calls.some((c) => c.body.includes('ana.shopper@example.com')));
});

test('forwards the embed\'s funnelscope:* custom events and no one else\'s', async () => {
  const p = await runPixel();
  const names = fs.readdirSync(fixturesDir).filter((f) => f.startsWith('funnelscope_')).sort();
  assert.equal(names.length, 7);
  for (const f of names) fireFixture(p, fixture(f));
  fireFixture(p, {...fixture('funnelscope_cart.json'), id: 'sh-other', name: 'otherapp:cart'});
  fireFixture(p, {...fixture('funnelscope_cart.json'), id: 'sh-noname', name: undefined});
  await p.clock.advance(LIMITS.flushDelayMs);
  const sent = p.net.bodies().flatMap((b) => b.events);
  assert.deepEqual(sent.map((e) => e.name).sort(), names.map((f) => fixture(f).name).sort());
  assert.deepEqual(sent.find((e) => e.name === 'funnelscope:cart').customData, fixture('funnelscope_cart.json').customData);
});

test('a whole visit arrives once, in order, in posts within the limits', async () => {
  const p = await runPixel();
  const batch = fixture('batch_visit.json');
  let last = Date.parse(batch.events[0].timestamp);
  for (const e of batch.events) {
    await p.clock.advance(Date.parse(e.timestamp) - last);
    last = Date.parse(e.timestamp);
    fireFixture(p, e);
  }
  await p.clock.advance(LIMITS.flushDelayMs);
  const bodies = p.net.bodies();
  for (const b of bodies) {
    assert.equal(b.shop, SHOP);
    assert.equal(b.key, KEY);
    assert.ok(b.events.length <= 200);
  }
  for (const c of p.net.calls) assert.ok(utf8(c.body) <= 64 * 1024);
  assert.deepEqual(bodies.flatMap((b) => b.events), batch.events);
});

test('without analytics consent nothing is sent', async () => {
  const p = await runPixel({analytics: false});
  for (const e of fixture('batch_visit.json').events) fireFixture(p, e);
  await p.clock.advance(60_000);
  assert.equal(p.net.calls.length, 0);
  assert.equal(p.clock.pending(), 0);
});

test('consent given later: the events Shopify replays are sent, earlier ones were not kept', async () => {
  const p = await runPixel({analytics: false});
  fireFixture(p, fixture('product_viewed.json'));
  await p.clock.advance(60_000);
  assert.equal(p.net.calls.length, 0);
  p.privacy.consent(true);
  fireFixture(p, fixture('page_viewed_product.json')); // Shopify's replay
  fireFixture(p, fixture('product_viewed.json'));
  await p.clock.advance(LIMITS.flushDelayMs);
  assert.deepEqual(p.net.bodies().flatMap((b) => b.events.map((e) => e.name)), ['page_viewed', 'product_viewed']);
});

test('consent withdrawn: queued events are dropped and nothing more is sent', async () => {
  const p = await runPixel();
  fireFixture(p, fixture('product_viewed.json'));
  p.privacy.consent(false);
  fireFixture(p, fixture('page_viewed_cart.json'));
  await p.clock.advance(60_000);
  assert.equal(p.net.calls.length, 0);
  // given again: only what comes after, never what was queued before the withdrawal
  p.privacy.consent(true);
  fireFixture(p, fixture('cart_viewed.json'));
  await p.clock.advance(LIMITS.flushDelayMs);
  assert.deepEqual(p.net.bodies().flatMap((b) => b.events.map((e) => e.name)), ['cart_viewed']);
});

test('consent withdrawn while a post waits for its retry: no retry', async () => {
  const p = await runPixel({answer: () => 503});
  fireFixture(p, fixture('page_viewed_home.json'));
  await p.clock.advance(0);
  assert.equal(p.net.calls.length, 1);
  p.privacy.consent(false);
  await p.clock.advance(60_000);
  assert.equal(p.net.calls.length, 1);
});

for (const [answer, what] of [[503, '503'], ['network', 'a network error'], ['throw', 'fetch throwing']]) {
  test(`retries once on ${what}, then gives up`, async () => {
    const p = await runPixel({answer: () => answer});
    fireFixture(p, fixture('page_viewed_home.json'));
    await p.clock.advance(0);
    assert.equal(p.net.calls.length, 1);
    await p.clock.advance(LIMITS.retryDelayMs - 1);
    assert.equal(p.net.calls.length, 1, 'retried before the delay');
    await p.clock.advance(1);
    assert.equal(p.net.calls.length, 2);
    assert.equal(p.net.calls[1].body, p.net.calls[0].body);
    await p.clock.advance(10 * 60_000);
    assert.equal(p.net.calls.length, 2, 'retried more than once');
  });
}

test('a retry that succeeds is not repeated', async () => {
  const p = await runPixel({answer: (n) => (n === 1 ? 503 : 204)});
  fireFixture(p, fixture('page_viewed_home.json'));
  await p.clock.advance(10 * 60_000);
  assert.equal(p.net.calls.length, 2);
});

for (const status of [400, 403, 413, 429, 500, 204]) {
  test(`no retry on ${status}`, async () => {
    const p = await runPixel({answer: () => status});
    fireFixture(p, fixture('page_viewed_home.json'));
    await p.clock.advance(10 * 60_000);
    assert.equal(p.net.calls.length, 1);
  });
}

test('malformed events never throw into the storefront and do not stop the pixel', async () => {
  const p = await runPixel();
  const cyclic = {id: 'sh-cyclic', name: 'page_viewed'};
  cyclic.self = cyclic;
  const getter = {id: 'sh-getter', name: 'product_viewed'};
  Object.defineProperty(getter, 'data', {enumerable: true, get() { throw new Error('boom'); }});
  const bad = [
    null, undefined, 0, 42, 'page_viewed', true, [], [1, 2], () => {}, Symbol('x'),
    cyclic, getter,
    {id: 'sh-bigint', name: 'product_viewed', seq: 10n},
    {id: 'sh-tojson', toJSON() { throw new Error('boom'); }},
    {id: 'sh-huge', name: 'product_viewed', data: {blob: 'x'.repeat(1 << 20)}},
    {data: null}, {data: {element: null}}, {data: {element: 'a'}}, {data: {element: {href: 7, tagName: 7, type: {}}}},
    Object.create(null),
  ];
  const names = [...STANDARD_EVENTS, ...DOM_EVENTS, 'funnelscope:cart', 'other'];
  for (const name of names) {
    for (const e of bad) {
      assert.doesNotThrow(() => p.fire(name, e, 'custom'), `${name}: ${typeof e}`);
      assert.doesNotThrow(() => p.fire(name, e, 'standard'));
    }
  }
  await p.clock.advance(LIMITS.flushDelayMs);
  const sent = p.net.bodies().flatMap((b) => b.events);
  for (const e of sent) {
    assert.ok(!['sh-cyclic', 'sh-getter', 'sh-bigint', 'sh-tojson', 'sh-huge'].includes(e.id), `sent ${e.id}`);
  }
  for (const c of p.net.calls) assert.ok(utf8(c.body) <= 64 * 1024);
  // still working
  const before = p.net.calls.length;
  fireFixture(p, fixture('page_viewed_home.json'));
  await p.clock.advance(0);
  assert.equal(p.net.calls.length, before + 1);
  assert.deepEqual(p.net.bodies().at(-1).events, [fixture('page_viewed_home.json')]);
});

test('a throwing analytics or privacy API does not escape register', async () => {
  // runPixel would throw if the callback did
  const init = {data: {shop: {myshopifyDomain: SHOP}}, customerPrivacy: {analyticsProcessingAllowed: true}};
  await assert.doesNotReject(runPixel({init}));
  const {bundle} = await import('./harness.js');
  const code = await bundle();
  const vm = await import('node:vm');
  let cb;
  vm.runInNewContext(code, {shopify: {extend: (_, f) => { cb = f; }}, self: {}});
  for (const api of [undefined, null, {}, {analytics: {subscribe() { throw new Error('no'); }}, settings: {accountID: KEY}, init},
    {analytics: null, settings: {accountID: KEY}, init, customerPrivacy: {subscribe() { throw new Error('no'); }}}]) {
    assert.doesNotThrow(() => cb(api));
  }
});

test('without a pixel key, a shop domain or a built-in app URL it sends nothing', async () => {
  for (const opts of [{settings: {}}, {settings: {accountID: ''}}, {settings: null}, {init: {data: {shop: {}}, customerPrivacy: {analyticsProcessingAllowed: true}}}, {appURL: ''}]) {
    const p = await runPixel(opts);
    fireFixture(p, fixture('page_viewed_home.json'));
    await p.clock.advance(60_000);
    assert.equal(p.net.calls.length, 0, JSON.stringify(opts));
    assert.deepEqual(p.bus.subscriptions(), [], 'subscribed while inactive');
  }
});
