// The shell of every embedded page: it tells whether Shopify's CDN scripts
// ran (App Bridge inside the admin, Polaris's web components), and when
// they did not (tests, an offline demo) stands in for them: Polaris's
// elements, left undefined, get the roles and keyboard behaviour their
// Polaris versions have, and toasts show in the page.
window.funnelscopeShell = (function () {
  "use strict";
  var root = document.documentElement;
  // polaris.js is a blocking script in the head: by now it has defined
  // its elements, or it could not be loaded.
  var polaris = !!(window.customElements && window.customElements.get("s-page"));
  var appBridge = !!(window.shopify && window.shopify.config);
  root.classList.toggle("polaris", polaris);
  root.classList.toggle("app-bridge", appBridge);

  // The roles of Polaris's table elements, which undefined elements lack.
  var ROLES = { "S-TABLE": "table", "S-TABLE-HEADER-ROW": "row", "S-TABLE-BODY": "rowgroup", "S-TABLE-ROW": "row",
    "S-TABLE-HEADER": "columnheader", "S-TABLE-CELL": "cell", "S-BUTTON": "button", "S-LINK": "link" };
  function upgrade(el) {
    var role = ROLES[el.tagName];
    if (!role || customElements.get(el.localName)) { return; }
    if (!el.hasAttribute("role")) { el.setAttribute("role", role); }
    if (role === "button" || role === "link") {
      syncDisabled(el);
      if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", el.hasAttribute("disabled") ? "-1" : "0"); }
    }
  }
  function syncDisabled(el) {
    var off = el.hasAttribute("disabled");
    if (off) { el.setAttribute("aria-disabled", "true"); } else { el.removeAttribute("aria-disabled"); }
    if (el.hasAttribute("tabindex")) { el.setAttribute("tabindex", off ? "-1" : "0"); }
  }
  function upgradeAll(node) {
    if (node.nodeType !== 1) { return; }
    upgrade(node);
    node.querySelectorAll("s-table, s-table-header-row, s-table-body, s-table-row, s-table-header, s-table-cell, s-button, s-link").forEach(upgrade);
  }
  if (!polaris) {
    upgradeAll(document.body);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "attributes") { syncDisabled(r.target); return; }
        r.addedNodes.forEach(upgradeAll);
      });
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
    // A disabled button does nothing; an enabled one acts on Enter and
    // Space, a link on Enter, as their Polaris versions do.
    document.addEventListener("click", function (ev) {
      var off = ev.target.closest && ev.target.closest("s-button[disabled], s-link[disabled]");
      if (off) { ev.stopImmediatePropagation(); ev.preventDefault(); return; }
      var el = ev.target.closest && ev.target.closest("s-button, s-link");
      if (!el) { return; }
      var href = el.getAttribute("href");
      if (href) {
        var target = el.getAttribute("target");
        if (target === "_blank") { window.open(href, "_blank", "noopener"); } else if (target === "_top") { window.open(href, "_top"); } else { window.location.assign(href); }
        return;
      }
      var form = el.closest("form");
      if (el.getAttribute("type") === "submit" && form) { form.requestSubmit(); }
    }, true);
    document.addEventListener("keydown", function (ev) {
      var el = ev.target;
      if (!el.matches || !el.matches("s-button, s-link") || el.hasAttribute("disabled")) { return; }
      if (ev.key === "Enter" || (ev.key === " " && el.localName === "s-button")) {
        ev.preventDefault();
        el.click();
      }
    });
  }

  // toast tells the merchant an outcome: App Bridge's toast in the admin,
  // else one in the page for five seconds.
  function toast(message, isError) {
    if (appBridge && window.shopify.toast) {
      window.shopify.toast.show(message, { isError: !!isError, duration: 5000 });
      return;
    }
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var t = document.createElement("div");
    t.className = "toast" + (isError ? " error" : "");
    t.textContent = message;
    box.appendChild(t);
    setTimeout(function () { t.remove(); }, 5000);
  }
  // setDisabled turns a control on or off, a Polaris one by its attribute.
  function setDisabled(el, off) {
    el.toggleAttribute("disabled", !!off);
    if ("disabled" in el) { el.disabled = !!off; }
  }
  // cell appends to row a table cell holding content (a node, or text),
  // with a class and the column's name that phone widths show beside it.
  function cell(row, content, cls, label) {
    var c = document.createElement("s-table-cell");
    if (cls) { c.className = cls; }
    if (label) { c.setAttribute("data-label", label); }
    if (content instanceof Node) { c.appendChild(content); } else { c.textContent = content; }
    row.appendChild(c);
    return c;
  }
  return { polaris: polaris, appBridge: appBridge, toast: toast, setDisabled: setDisabled, cell: cell };
})();
