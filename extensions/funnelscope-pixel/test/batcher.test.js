// The batcher and its byte measure, on their own.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createBatcher, serialize, utf8Length} from '../src/batcher.js';
import {fixture} from './harness.js';

test('utf8Length counts the bytes Buffer would send', () => {
  for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800', '\udc00x', 'x\ud800', JSON.stringify(fixture('checkout_completed.json'))]) {
    assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  }
});

test('serialize keeps an event as JSON and refuses what cannot be sent', () => {
  const e = fixture('checkout_started.json');
  assert.deepEqual(JSON.parse(serialize(e)), e);
  const cyclic = {};
  cyclic.a = cyclic;
  for (const bad of [null, undefined, 1, 'x', cyclic, {n: 1n}, {toJSON: () => 'str'}, {toJSON() { throw new Error('x'); }}]) {
    assert.equal(serialize(bad), null);
  }
});

// event returns an event whose JSON is exactly n bytes.
function eventOf(n) {
  const base = JSON.stringify({name: 'x', pad: ''});
  const e = {name: 'x', pad: 'p'.repeat(n - base.length)};
  assert.equal(utf8Length(JSON.stringify(e)), n);
  return JSON.stringify(e);
}

test('a body is at most maxBytes: exactly full is sent, one byte more is dropped', () => {
  const b = createBatcher({shop: 's.myshopify.com', key: 'k', maxEvents: 200, maxBytes: 1000});
  const overhead = utf8Length('{"shop":"s.myshopify.com","key":"k","events":[]}');
  assert.deepEqual(b.add(eventOf(1000 - overhead + 1)), []);
  assert.equal(b.stats.dropped, 1);
  assert.equal(b.size(), 0);
  assert.deepEqual(b.add(eventOf(1000 - overhead)), []);
  const body = b.flush();
  assert.equal(utf8Length(body), 1000);
  assert.equal(JSON.parse(body).events.length, 1);
});

test('two events that fit exactly share a body; one byte more splits them', () => {
  const shop = 's.myshopify.com';
  const overhead = utf8Length(`{"shop":"${shop}","key":"k","events":[]}`);
  const half = 400;
  const max = overhead + half + 1 + half; // one comma between them
  let b = createBatcher({shop, key: 'k', maxEvents: 200, maxBytes: max});
  assert.deepEqual(b.add(eventOf(half)), []);
  assert.deepEqual(b.add(eventOf(half)), []);
  assert.equal(utf8Length(b.flush()), max);
  b = createBatcher({shop, key: 'k', maxEvents: 200, maxBytes: max});
  b.add(eventOf(half));
  const out = b.add(eventOf(half + 1));
  assert.equal(out.length, 1);
  assert.equal(JSON.parse(out[0]).events.length, 1);
  assert.equal(b.size(), 1);
});

test('the body is the JSON of {shop, key, events}', () => {
  const b = createBatcher({shop: 'é"x.myshopify.com', key: 'k\\"', maxEvents: 2, maxBytes: 65536});
  const e1 = fixture('page_viewed_home.json');
  const e2 = fixture('product_viewed.json');
  assert.deepEqual(b.add(serialize(e1)), []);
  const [body] = b.add(serialize(e2));
  assert.equal(body, JSON.stringify({shop: 'é"x.myshopify.com', key: 'k\\"', events: [e1, e2]}));
  assert.equal(b.flush(), null);
});
