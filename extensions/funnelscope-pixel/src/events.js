// Which customer events the pixel forwards, and which of them send the
// queue at once. The one place for these lists.

/** Shopify's standard events the pixel subscribes to (DESIGN.md "Storefront events"). */
export const STANDARD_EVENTS = [
  'page_viewed',
  'collection_viewed',
  'search_submitted',
  'product_viewed',
  'product_added_to_cart',
  'product_removed_from_cart',
  'cart_viewed',
  'checkout_started',
  'checkout_contact_info_submitted',
  'checkout_address_info_submitted',
  'checkout_shipping_info_submitted',
  'payment_info_submitted',
  'checkout_completed',
  'alert_displayed',
];

/** The DOM events the pixel subscribes to; dom filters which of them it keeps. */
export const DOM_EVENTS = ['clicked', 'input_changed'];

/** The theme embed's custom events all start with this (funnelscope:scroll_depth, …). */
export const CUSTOM_PREFIX = 'funnelscope:';

/** Subscription that delivers every custom event; the pixel keeps CUSTOM_PREFIX ones. */
export const ALL_CUSTOM_EVENTS = 'all_custom_events';

// Events after which the page is likely to go away (a navigation, the
// thank-you page): the queue is sent at once instead of on the timer, since
// the pixel's worker ends with its page. page_viewed also sends what the
// same worker queued before it (checkout steps are one page).
const FLUSH_NOW = new Set([
  'page_viewed',
  'product_added_to_cart',
  'checkout_completed',
  'clicked',
  'funnelscope:nav_clicked',
]);

// Input types whose value is a choice (a variant option, a filter), never
// text a shopper typed: input_changed of text fields (names, e-mail
// addresses, street addresses at checkout) is never forwarded.
const CHOICE_TYPES = new Set(['radio', 'checkbox', 'select-one', 'select-multiple']);

function element(event) {
  const data = event && event.data;
  const el = data && typeof data === 'object' ? data.element : null;
  return el && typeof el === 'object' ? el : null;
}

/**
 * keep says whether an event delivered by the subscription `subscription`
 * is forwarded: standard events always (the server decides what to use),
 * clicked only on links (an element with an href), input_changed only on
 * choice inputs and selects, custom events only the embed's.
 */
export function keep(subscription, event) {
  if (!event || typeof event !== 'object') return false;
  switch (subscription) {
    case 'clicked': {
      const el = element(event);
      return !!el && typeof el.href === 'string' && el.href !== '';
    }
    case 'input_changed': {
      const el = element(event);
      if (!el) return false;
      const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
      const type = typeof el.type === 'string' ? el.type.toLowerCase() : '';
      return tag === 'SELECT' || CHOICE_TYPES.has(type);
    }
    case ALL_CUSTOM_EVENTS:
      return typeof event.name === 'string' && event.name.startsWith(CUSTOM_PREFIX);
    default:
      return true;
  }
}

/** flushNow says whether a kept event from `subscription` sends the queue at once. */
export function flushNow(subscription, event) {
  const name = subscription === ALL_CUSTOM_EVENTS ? event.name : subscription;
  return FLUSH_NOW.has(name);
}
