// Calls to Funnelscope's API with a fresh session token: App Bridge's
// shopify.idToken() inside the admin; in demo mode only, a token the demo
// server mints for its demo shop.
window.funnelscope = (function () {
  "use strict";
  var demo = document.body.getAttribute("data-demo") === "true";
  function token() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    if (!demo) {
      return Promise.reject(new Error("Open Funnelscope from the Apps section of your Shopify admin."));
    }
    return fetch("/demo/token", { cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("The demo could not start a session."); }
      return r.json();
    }).then(function (b) { return b.token; });
  }
  function request(method, path, body) {
    return token().then(function (t) {
      var init = { method: method, headers: { Authorization: "Bearer " + t }, cache: "no-store" };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(path, init);
    }, function (e) { throw e; }).catch(function (e) {
      if (e instanceof TypeError) { throw new Error("Funnelscope could not be reached. Check your connection and try again."); }
      throw e;
    });
  }
  function failure(r) {
    return r.json().catch(function () { return {}; }).then(function (b) {
      var err = new Error(b.error || "The request failed (" + r.status + ").");
      err.field = b.field;
      err.status = r.status;
      throw err;
    });
  }
  function json(method, path, body) {
    return request(method, path, body).then(function (r) {
      if (!r.ok) { return failure(r); }
      return r.json();
    });
  }
  // html fetches a server-rendered view; a 4xx view is still shown.
  function html(path) {
    return request("GET", path).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") === 0) { return r.text(); }
      return failure(r);
    });
  }
  // The lists' state in the address (lists.js), which another page does
  // not take.
  var STATE = ["range", "from", "to", "segment", "segment_value", "tab", "sort", "order", "page", "session", "q"];
  // Keep the admin's query (shop, host, embedded, locale) on in-app links,
  // minus the token and the page's own state.
  document.querySelectorAll("a[data-keep-query]").forEach(function (a) {
    var q = new URLSearchParams(window.location.search);
    q.delete("id_token");
    STATE.forEach(function (k) { q.delete(k); });
    var s = q.toString();
    var h = a.getAttribute("href");
    a.href = h + (s ? (h.indexOf("?") < 0 ? "?" : "&") + s : "");
  });
  // When the page was opened with a token, links must get a fresh one: the
  // document request of the next page authenticates with it.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-keep-query]");
    if (!a || ev.metaKey || ev.ctrlKey) { return; }
    ev.preventDefault();
    token().then(function (t) {
      var u = new URL(a.href, window.location.href);
      u.searchParams.set("id_token", t);
      window.location.assign(u.toString());
    }).catch(function () { window.location.assign(a.href); });
  });
  // download opens path, a file the server sends as an attachment, with
  // a fresh session token in its query: a navigation carries no header,
  // and the browser then streams the file to disk.
  function download(path) {
    return token().then(function (t) {
      var u = new URL(path, window.location.href);
      u.searchParams.set("id_token", t);
      window.location.assign(u.toString());
    });
  }
  return {
    get: function (p) { return json("GET", p); },
    put: function (p, b) { return json("PUT", p, b); },
    post: function (p, b) { return json("POST", p, b); },
    html: html,
    download: download
  };
})();
