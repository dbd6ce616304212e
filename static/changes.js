// The changes page: records a store change the merchant describes
// (POST /api/changes) and lists the shop's changes, newest first
// (GET /api/changes). As on the settings page, an error shows beside its
// field, tied to it (aria-describedby, aria-invalid), and a toast says
// recorded or not.
(function () {
  "use strict";
  var api = window.funnelscope;
  var fmt = window.funnelscopeFormat;
  var shell = window.funnelscopeShell;
  var form = document.getElementById("change-form");
  var status = document.getElementById("status");
  var button = document.getElementById("record-change");
  var SOURCES = { webhook: "From Shopify", merchant: "By you" };

  function showError(field, message) {
    var shown = false;
    form.querySelectorAll(".field-error").forEach(function (p) {
      var mine = message !== "" && p.getAttribute("data-field") === field;
      p.hidden = !mine;
      p.textContent = mine ? message : "";
      shown = shown || mine;
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    var input = field && form.querySelector("[name=" + field + "]");
    if (input && message) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    if (!shown && message) {
      var general = form.querySelector('.field-error[data-field=""]');
      general.hidden = false;
      general.textContent = message;
    }
  }

  var table = document.getElementById("changes");
  var heads = Array.prototype.map.call(table.querySelectorAll("s-table-header"), function (h) { return h.textContent.trim(); });
  var listStatus = document.getElementById("changes-status");
  function load() {
    return api.get("/api/changes").then(function (r) {
      var body = table.querySelector("s-table-body");
      body.textContent = "";
      r.changes.forEach(function (c) {
        var row = document.createElement("s-table-row");
        row.setAttribute("data-id", String(c.id));
        row.setAttribute("data-kind", c.kind);
        var t = document.createElement("time");
        t.setAttribute("datetime", c.at);
        t.textContent = fmt.time(c.at);
        shell.cell(row, t, "", heads[0]);
        // The row leads to the change's impact, with the admin's query
        // (shop, host, embedded); api.js adds a fresh token when followed.
        var link = document.createElement("a");
        var keep = new URLSearchParams();
        new URLSearchParams(window.location.search).forEach(function (v, k) {
          if (k === "shop" || k === "host" || k === "embedded") { keep.set(k, v); }
        });
        link.href = "/changes/" + c.id + (keep.toString() ? "?" + keep.toString() : "");
        link.className = "impact-link";
        link.setAttribute("data-keep-query", "");
        link.textContent = c.description;
        link.title = "Did it work? Each step before and after this change";
        shell.cell(row, link, "description", heads[1]);
        var badge = document.createElement("s-badge");
        badge.textContent = c.kind_label;
        shell.cell(row, badge, "", heads[2]);
        shell.cell(row, SOURCES[c.source] || c.source, "", heads[3]);
        body.appendChild(row);
      });
      table.hidden = r.changes.length === 0;
      listStatus.textContent = r.changes.length === 0 ? "No changes recorded yet." : "";
    }).catch(function (e) {
      listStatus.textContent = "The changes could not be loaded: " + e.message;
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    showError("", "");
    status.textContent = "Saving…";
    form.setAttribute("data-saved", "false");
    shell.setDisabled(button, true);
    api.post("/api/changes", { description: form.description.value, kind: form.kind.value, at: form.at.value }).then(function (c) {
      form.description.value = "";
      status.textContent = "Recorded.";
      form.setAttribute("data-saved", "true");
      shell.toast("Change recorded");
      return load().then(function () {
        var row = table.querySelector('s-table-row[data-id="' + c.id + '"]');
        if (row) { row.classList.add("new"); }
      });
    }).catch(function (e) {
      status.textContent = "Not recorded: " + e.message;
      form.setAttribute("data-saved", "error");
      showError(e.field || "", e.message);
      shell.toast("Change not recorded: " + e.message, true);
    }).then(function () { shell.setDisabled(button, false); });
  });

  document.body.setAttribute("data-loading", "true");
  load().then(function () { document.body.setAttribute("data-loading", "false"); });
})();
