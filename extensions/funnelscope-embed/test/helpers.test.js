// The embed script's pure helpers, and what the script promises about
// itself: its size, and that loading it outside a browser only exports.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const file = path.join(__dirname, '..', 'assets', 'funnelscope-embed.js');
const h = require(file);

test('depthPercent measures the viewport bottom against the page height', () => {
  assert.equal(h.depthPercent(0, 900, 0), 0);
  assert.equal(Math.round(h.depthPercent(0, 898, 3600)), 25);
  assert.equal(h.depthPercent(2700, 900, 3600), 100);
  assert.equal(h.depthPercent(2699.5, 900, 3600), 100, 'a fractional offset at the bottom is the bottom');
  assert.equal(h.depthPercent(5000, 900, 3600), 100, 'overscroll is capped');
  assert.equal(h.depthPercent(-100, 0, 3600), 0, 'negative offsets (rubber band) are 0');
});

test('newThresholds lists each threshold once', () => {
  const sent = {};
  assert.deepEqual(h.newThresholds(10, sent), []);
  assert.deepEqual(h.newThresholds(55, sent), [25, 50]);
  sent[25] = sent[50] = true;
  assert.deepEqual(h.newThresholds(60, sent), []);
  assert.deepEqual(h.newThresholds(100, sent), [75, 100]);
});

test('filterState keeps filter and sort parameters, names only, in order', () => {
  const s = h.filterState(h.searchPairs('?q=shirt&sort_by=price-ascending&filter.v.option.color=Red&filter.v.price.gte=&filter.v.option.color=Blue&page=2'));
  assert.deepEqual(s.params, ['filter.v.option.color', 'sort_by']);
  assert.equal(s.key, 'filter.v.option.color=Blue&filter.v.option.color=Red&sort_by=price-ascending');
  const again = h.filterState(h.searchPairs('filter.v.option.color=Red&filter.v.option.color=Blue&sort_by=price-ascending'));
  assert.equal(again.key, s.key, 'the order of the parameters does not matter');
  assert.deepEqual(h.filterState(h.searchPairs('?variant=1&page=3')), { key: '', params: [] });
  assert.deepEqual(h.filterState(h.searchPairs('?filter.p.m.custom.fit=Slim+fit')).key, 'filter.p.m.custom.fit=Slim fit');
});

test('searchPairs survives malformed escapes', () => {
  assert.deepEqual(h.searchPairs('?a=%E0%A4%A&b=2&c'), [['b', '2'], ['c', '']]);
  assert.deepEqual(h.searchPairs(''), []);
  assert.deepEqual(h.searchPairs(undefined), []);
});

test('variantId takes the numeric id of a plain id or a GID', () => {
  assert.equal(h.variantId('gid://shopify/ProductVariant/4242'), '4242');
  assert.equal(h.variantId(4242), '4242');
  assert.equal(h.variantId(' 17 '), '17');
  assert.equal(h.variantId(''), '');
  assert.equal(h.variantId(null), '');
  assert.equal(h.variantId('red'), '');
});

test('eventVariantId reads the shapes themes dispatch', () => {
  assert.equal(h.eventVariantId({ variant: { id: 'gid://shopify/ProductVariant/7' } }), '7');
  assert.equal(h.eventVariantId({ resource: { id: 8 } }), '8');
  assert.equal(h.eventVariantId({ variantId: '9' }), '9');
  assert.equal(h.eventVariantId({ variant: null }), '');
  assert.equal(h.eventVariantId(null), '');
  assert.equal(h.eventVariantId('x'), '');
});

test('pathOnly drops host, query and hash, and refuses non-web links', () => {
  const base = 'https://shop.example/collections/all?x=1';
  assert.equal(h.pathOnly('/collections/shirts?filter.v.availability=1#top', base), '/collections/shirts');
  assert.equal(h.pathOnly('https://other.example/pages/about?email=a@b.c', base), '/pages/about');
  assert.equal(h.pathOnly('products/tee', base), '/collections/products/tee');
  assert.equal(h.pathOnly('mailto:someone@example.com', base), '');
  assert.equal(h.pathOnly('tel:+15555550100', base), '');
  assert.equal(h.pathOnly('javascript:void(0)', base), '');
  assert.equal(h.pathOnly('http://[bad', base), '');
});

test('cartToken strips the cart key and refuses what is not a token', () => {
  assert.equal(h.cartToken({ token: 'hWN7abc?key=secret' }), 'hWN7abc');
  assert.equal(h.cartToken({ token: 'c1-plain' }), 'c1-plain');
  assert.equal(h.cartToken({ token: '' }), '');
  assert.equal(h.cartToken({ token: 12 }), '');
  assert.equal(h.cartToken(null), '');
  assert.equal(h.cartToken('token'), '');
});

test('the script stays small', () => {
  const src = fs.readFileSync(file);
  const gz = zlib.gzipSync(src).length;
  assert.ok(gz <= 7000, `funnelscope-embed.js is ${gz} B gzipped; the budget is 7000 B`);
  assert.ok(src.length <= 24000, `funnelscope-embed.js is ${src.length} B; the budget is 24000 B`);
});

test('the block loads the script deferred with the settings and page type', () => {
  const liquid = fs.readFileSync(path.join(__dirname, '..', 'blocks', 'funnelscope.liquid'), 'utf8');
  assert.match(liquid, /<script\s+src="\{\{ 'funnelscope-embed\.js' \| asset_url \}\}"\s+defer\b/);
  for (const attr of ['data-page-type="{{ request.page_type', 'data-gallery-selector="{{ block.settings.gallery_selector', 'data-reviews-selector="{{ block.settings.reviews_selector', 'data-nav-selector="{{ block.settings.nav_selector']) {
    assert.ok(liquid.includes(attr), `the block lacks ${attr}`);
  }
  const schema = JSON.parse(/\{% schema %\}([\s\S]*)\{% endschema %\}/.exec(liquid)[1]);
  assert.equal(schema.target, 'body');
  assert.deepEqual(schema.settings.map((s) => s.id), ['gallery_selector', 'reviews_selector', 'nav_selector']);
  for (const s of schema.settings) assert.ok(s.default, `${s.id} has a default`);
});
