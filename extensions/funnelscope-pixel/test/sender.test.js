// The sender on its own: the keepalive byte budget and the retry rule.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createSender} from '../src/sender.js';
import {utf8Length} from '../src/batcher.js';
import {fakeClock, settle} from './harness.js';

function setup(answer) {
  const clock = fakeClock();
  const calls = [];
  const resolvers = [];
  const fetch = (url, init) => {
    calls.push({url, init});
    const a = answer(calls.length);
    if (a === 'manual') return new Promise((r) => resolvers.push(r));
    return Promise.resolve({status: a});
  };
  const sender = createSender({
    url: 'https://app.example.test/collect', fetch, setTimeout: clock.setTimeout,
    retryDelayMs: 1000, maxInFlight: 64 * 1024, maxWaiting: 3, allowed: () => true, size: utf8Length,
  });
  return {clock, calls, resolvers, sender};
}

test('keepalive bodies in flight stay within 64 KiB together', async () => {
  const s = setup(() => 'manual');
  const body = (c) => c.repeat(40 * 1024);
  s.sender.send(body('a'));
  s.sender.send(body('b'));
  s.sender.send('c'.repeat(10 * 1024));
  await settle();
  assert.equal(s.calls.length, 1, 'a second 40 KB body started while one was in flight');
  s.resolvers[0]({status: 204});
  await settle();
  assert.deepEqual(s.calls.map((c) => c.init.body[0]), ['a', 'b', 'c'], 'b and c fit together in 64 KiB');
});

test('at most maxWaiting bodies wait; the oldest waiting is dropped', async () => {
  const s = setup(() => 'manual');
  for (const c of 'abcdef') s.sender.send(c.repeat(60 * 1024));
  await settle();
  assert.equal(s.calls.length, 1);
  for (let i = 0; i < 4; i++) {
    s.resolvers[i]({status: 204});
    await settle();
  }
  assert.deepEqual(s.calls.map((c) => c.init.body[0]), ['a', 'd', 'e', 'f']);
});

test('a retry waits for the delay and is made once', async () => {
  const s = setup(() => 503);
  s.sender.send('{}');
  await s.clock.advance(999);
  assert.equal(s.calls.length, 1);
  await s.clock.advance(1);
  assert.equal(s.calls.length, 2);
  await s.clock.advance(100_000);
  assert.equal(s.calls.length, 2);
  assert.deepEqual(s.sender.stats, {posted: 2, retried: 1, failed: 1});
});
