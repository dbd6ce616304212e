// Funnelscope's app web pixel: forwards Shopify's customer events and the
// theme embed's funnelscope:* events to the app's POST /collect.
import {register} from '@shopify/web-pixels-extension';
import {startPixel} from './pixel.js';
import {appURL} from './config.js';

register((api) => {
  try {
    startPixel(api, {
      fetch: (url, init) => self.fetch(url, init),
      setTimeout: (fn, ms) => self.setTimeout(fn, ms),
      clearTimeout: (id) => self.clearTimeout(id),
      appURL: appURL(),
    });
  } catch {
    // never into the storefront
  }
});
