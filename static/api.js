// Calls to Funnelscope's API with a fresh session token: App Bridge's inside
// the admin, a self-minted one in demo mode.
window.funnelscope = (function () {
  "use strict";
  function token() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    return fetch("/demo/token").then(function (r) {
      if (!r.ok) { throw new Error("Open Funnelscope from your Shopify admin."); }
      return r.json();
    }).then(function (b) { return b.token; });
  }
  function call(method, path, body) {
    return token().then(function (t) {
      var init = { method: method, headers: { Authorization: "Bearer " + t } };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(path, init);
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) {
          var err = new Error(b.error || "The request failed.");
          err.field = b.field;
          throw err;
        }
        return b;
      });
    });
  }
  // Keep the admin's query (shop, host, embedded) on in-app links, minus the token.
  document.querySelectorAll("a[data-keep-query]").forEach(function (a) {
    var q = new URLSearchParams(window.location.search);
    q.delete("id_token");
    a.href = a.getAttribute("href") + "?" + q.toString();
  });
  return { get: function (p) { return call("GET", p); }, put: function (p, b) { return call("PUT", p, b); } };
})();
