// Consent gate: the pixel sends only while the visitor allows analytics
// processing.

/**
 * allowsAnalytics says whether a customerPrivacy object
 * ({analyticsProcessingAllowed, …}, from init or visitorConsentCollected)
 * allows analytics; anything but an explicit true is a no.
 */
export function allowsAnalytics(customerPrivacy) {
  return !!customerPrivacy && typeof customerPrivacy === 'object' && customerPrivacy.analyticsProcessingAllowed === true;
}

/**
 * createConsentGate starts from init.customerPrivacy; update(payload) takes
 * a visitorConsentCollected payload ({customerPrivacy}) and calls onClose
 * when consent is withdrawn, so that queued events are dropped.
 */
export function createConsentGate(initial, onClose) {
  let open = allowsAnalytics(initial);
  return {
    isOpen: () => open,
    update(payload) {
      const next = allowsAnalytics(payload && payload.customerPrivacy);
      const closed = open && !next;
      open = next;
      if (closed) onClose();
    },
  };
}
