// The app's address, baked in at build time: the pixel's settings hold
// only accountID, so the collect URL cannot come from them.

/** PLACEHOLDER_APP_URL is the app URL of a build made without FUNNELSCOPE_APP_URL; such a pixel sends nothing. */
export const PLACEHOLDER_APP_URL = 'https://funnelscope-app-url-not-set.invalid';

/** LIMITS are the pixel's batching and sending numbers (DESIGN.md: a batch is at most 64 KiB and 200 events). */
export const LIMITS = Object.freeze({
  maxEvents: 200,
  maxBytes: 64 * 1024,
  flushDelayMs: 2000,
  retryDelayMs: 1000,
  maxInFlight: 64 * 1024,
  maxWaiting: 8,
});

/**
 * appURL is FUNNELSCOPE_APP_URL as esbuild's define replaced it (our
 * build.mjs, and Shopify CLI's build, which defines process.env.* from the
 * environment of `shopify app deploy`); without it, the placeholder.
 */
export function appURL() {
  try {
    const url = process.env.FUNNELSCOPE_APP_URL;
    return typeof url === 'string' && url !== '' ? url : PLACEHOLDER_APP_URL;
  } catch {
    return PLACEHOLDER_APP_URL; // no process in the worker and nothing defined
  }
}

/** collectURL is the /collect endpoint under an app URL. */
export function collectURL(base) {
  return base.replace(/\/+$/, '') + '/collect';
}
