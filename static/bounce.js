// The bounce page: App Bridge gives a fresh session token, and the page
// reloads itself with it as id_token, which is how the app authenticates a
// document request.
(function () {
  "use strict";
  var msg = document.getElementById("bounce-message");
  if (!window.shopify || typeof window.shopify.idToken !== "function") {
    msg.textContent = "Funnelscope runs inside your Shopify admin. Open it from Apps in your admin.";
    return;
  }
  window.shopify.idToken().then(function (token) {
    var u = new URL(window.location.href);
    u.searchParams.set("id_token", token);
    window.location.replace(u.toString());
  });
})();
