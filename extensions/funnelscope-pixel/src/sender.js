// Sender: posts /collect bodies with fetch keepalive, retrying once on 503
// or a network error and never on any other answer.

/** REQUEST is the fetch init of every post (no cookies, a CORS simple request). */
export const REQUEST = Object.freeze({
  method: 'POST',
  keepalive: true,
  credentials: 'omit',
  headers: {'Content-Type': 'text/plain'},
});

/**
 * createSender posts bodies to url. keepalive requests of a page may carry
 * at most maxInFlight bytes together (the Fetch spec's 64 KiB), so a body
 * waits while others are in flight beyond that; at most maxWaiting bodies
 * wait (the oldest is dropped). allowed() is asked again before a retry and
 * before a waiting body starts. The injected fetch and setTimeout are the
 * worker's.
 */
export function createSender({url, fetch, setTimeout, retryDelayMs, maxInFlight, maxWaiting, allowed, size}) {
  let inFlight = 0;
  let waiting = [];
  const stats = {posted: 0, retried: 0, failed: 0};

  function attempt(body, bytes, retry) {
    inFlight += bytes;
    stats.posted++;
    let p;
    try {
      p = Promise.resolve(fetch(url, {...REQUEST, headers: {...REQUEST.headers}, body}));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (res) => done(body, bytes, retry, !!res && res.status === 503),
      () => done(body, bytes, retry, true),
    );
  }

  function done(body, bytes, retry, again) {
    inFlight -= bytes;
    if (again && retry) {
      stats.retried++;
      setTimeout(() => {
        try {
          if (allowed()) enqueue(body, bytes, false);
        } catch {
          // never into the storefront
        }
      }, retryDelayMs);
    } else if (again) {
      stats.failed++;
    }
    pump();
  }

  function pump() {
    while (waiting.length > 0 && (inFlight === 0 || inFlight + waiting[0].bytes <= maxInFlight)) {
      const w = waiting.shift();
      if (allowed()) attempt(w.body, w.bytes, w.retry);
    }
  }

  function enqueue(body, bytes, retry) {
    waiting.push({body, bytes, retry});
    if (waiting.length > maxWaiting) waiting.shift();
    pump();
  }

  return {
    send(body) {
      enqueue(body, size(body), true);
    },
    clear() {
      waiting = [];
    },
    stats,
  };
}
