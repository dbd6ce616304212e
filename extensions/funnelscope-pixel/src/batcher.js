// Batcher: groups serialized events into /collect bodies of at most
// maxEvents events and maxBytes bytes (UTF-8), measured on the exact text
// that is posted.

/** utf8Length is the number of bytes of s encoded as UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * serialize returns the JSON text of an event, or null when it cannot be
 * sent (not an object, cyclic, a BigInt, a throwing getter or toJSON).
 */
export function serialize(event) {
  if (!event || typeof event !== 'object') return null;
  try {
    const s = JSON.stringify(event);
    return typeof s === 'string' && s[0] === '{' ? s : null;
  } catch {
    return null;
  }
}

/**
 * createBatcher returns a batcher for one shop and key. add(json) queues an
 * event's JSON text and returns the bodies that became complete (an array,
 * often empty); flush() returns the body of what is queued, or null.
 * An event too big to fit a body on its own is dropped (add returns [] and
 * counts it in dropped).
 */
export function createBatcher({shop, key, maxEvents, maxBytes}) {
  const head = '{"shop":' + JSON.stringify(shop) + ',"key":' + JSON.stringify(key) + ',"events":[';
  const tail = ']}';
  const overhead = utf8Length(head) + utf8Length(tail);
  let parts = [];
  let bytes = overhead; // size of the body if flushed now
  const stats = {dropped: 0};

  function flush() {
    if (parts.length === 0) return null;
    const body = head + parts.join(',') + tail;
    parts = [];
    bytes = overhead;
    return body;
  }

  function add(json) {
    const size = utf8Length(json);
    if (overhead + size > maxBytes) {
      stats.dropped++;
      return [];
    }
    const out = [];
    const comma = parts.length > 0 ? 1 : 0;
    if (bytes + comma + size > maxBytes) out.push(flush());
    bytes += (parts.length > 0 ? 1 : 0) + size;
    parts.push(json);
    if (parts.length >= maxEvents) out.push(flush());
    return out;
  }

  function clear() {
    parts = [];
    bytes = overhead;
  }

  return {add, flush, clear, size: () => parts.length, stats};
}
