// The settings page: the form comes filled with the saved settings and is
// saved with PUT /api/settings; an error shows beside its field, tied to it
// (aria-describedby), and a toast says saved or not. Inside the admin the
// form's data-save-bar gives it the admin's save bar, which also asks
// before leaving with unsaved edits; without App Bridge (the demo, tests)
// the page shows a save bar of its own and the browser asks before leaving.
(function () {
  "use strict";
  var api = window.funnelscope;
  var fmt = window.funnelscopeFormat;
  var shell = window.funnelscopeShell;
  var form = document.getElementById("settings-form");
  var status = document.getElementById("status");
  var bar = document.getElementById("save-bar");
  var ownBar = !(shell.appBridge && window.shopify.saveBar);
  // The zone the form showed: saved again only when the merchant changes
  // it, so that a store that never chose one keeps following the zone it
  // has in Shopify.
  var shownZone = form.timezone.defaultValue;
  var saving = false;

  function showError(field, message) {
    var shown = false;
    form.querySelectorAll(".field-error").forEach(function (p) {
      var mine = p.getAttribute("data-field") === field;
      p.hidden = !mine;
      p.textContent = mine ? message : "";
      shown = shown || mine;
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    var input = field && form.querySelector("[name=" + field + "]");
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    if (!shown && message) {
      var general = form.querySelector('.field-error[data-field=""]');
      general.hidden = false;
      general.textContent = message;
    }
  }
  // fill shows saved settings and makes them the form's first state, to
  // which Discard (the form's reset) returns.
  function fill(v) {
    var set = function (input, value) { input.value = value; input.defaultValue = value; };
    set(form.abandon_after_minutes, String(v.abandon_after_minutes));
    form.alerts_enabled.checked = form.alerts_enabled.defaultChecked = v.alerts_enabled;
    set(form.min_value, v.min_value);
    form.min_value.placeholder = v.defaults.min_value;
    form.querySelectorAll("input[name=kinds]").forEach(function (c) { c.checked = c.defaultChecked = v.kinds.indexOf(c.value) >= 0; });
    set(form.emails, v.emails.join(", "));
    set(form.chat_webhook_url, v.chat_webhook_url);
    form.flow_enabled.checked = form.flow_enabled.defaultChecked = v.flow_enabled;
    set(form.holdout_percent, String(v.holdout_percent));
    form.anomalies_enabled.checked = form.anomalies_enabled.defaultChecked = v.anomalies_enabled;
    set(form.anomaly_materiality, String(v.anomaly_materiality));
    form.anomaly_materiality.placeholder = String(v.defaults.anomaly_materiality);
    set(form.immediate_min_value, v.immediate_min_value);
    form.immediate_min_value.placeholder = v.defaults.immediate_min_value;
    Array.prototype.forEach.call(form.digest.options, function (o) { o.selected = o.defaultSelected = o.value === v.digest; });
    set(form.timezone, v.timezone);
    shownZone = form.timezone.value;
    dirtyChanged();
  }
  // read is the form as PUT /api/settings takes it; an emptied amount is
  // the server's default, its placeholder.
  function read() {
    var kinds = [];
    form.querySelectorAll("input[name=kinds]:checked").forEach(function (c) { kinds.push(c.value); });
    var s = {
      abandon_after_minutes: parseInt(form.abandon_after_minutes.value, 10) || 0,
      alerts_enabled: form.alerts_enabled.checked,
      min_value: form.min_value.value.trim() || form.min_value.placeholder,
      kinds: kinds,
      emails: form.emails.value.split(/[\s,;]+/).filter(function (e) { return e !== ""; }),
      chat_webhook_url: form.chat_webhook_url.value.trim(),
      flow_enabled: form.flow_enabled.checked,
      holdout_percent: parseInt(form.holdout_percent.value, 10) || 0,
      anomalies_enabled: form.anomalies_enabled.checked,
      anomaly_materiality: parseInt(form.anomaly_materiality.value, 10) || parseInt(form.anomaly_materiality.placeholder, 10),
      immediate_min_value: form.immediate_min_value.value.trim() || form.immediate_min_value.placeholder,
      digest: form.digest.value
    };
    var zone = form.timezone.value.trim();
    if (zone !== "" && zone !== shownZone) { s.timezone = zone; }
    return s;
  }
  // dirty says whether the form differs from its first state.
  function dirty() {
    return Array.prototype.some.call(form.elements, function (e) {
      if (e.type === "checkbox") { return e.checked !== e.defaultChecked; }
      if (e.tagName === "SELECT") { return Array.prototype.some.call(e.options, function (o) { return o.selected !== o.defaultSelected; }); }
      return "defaultValue" in e && e.value !== e.defaultValue;
    });
  }
  function dirtyChanged() {
    var d = dirty();
    form.setAttribute("data-dirty", String(d));
    if (ownBar) { bar.hidden = !d; }
  }
  form.addEventListener("input", dirtyChanged);
  form.addEventListener("change", dirtyChanged);
  // Discard: the admin's save bar resets the form; so does the page's own.
  form.addEventListener("reset", function () {
    setTimeout(function () { showError("", ""); dirtyChanged(); }, 0);
  });
  document.getElementById("discard").addEventListener("click", function () { form.reset(); });
  document.getElementById("save").addEventListener("click", function () { form.requestSubmit(); });
  window.addEventListener("beforeunload", function (ev) {
    if (ownBar && dirty() && !saving) { ev.preventDefault(); ev.returnValue = ""; }
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    showError("", "");
    status.textContent = "Saving…";
    form.setAttribute("data-saved", "false");
    saving = true;
    shell.setDisabled(document.getElementById("save"), true);
    api.put("/api/settings", read()).then(function (s) {
      fill(s);
      status.textContent = "Saved.";
      form.setAttribute("data-saved", "true");
      shell.toast("Settings saved");
    }).catch(function (e) {
      status.textContent = "Not saved: " + e.message;
      showError(e.field || "", e.message);
      shell.toast("Settings not saved: " + e.message, true);
    }).then(function () {
      saving = false;
      shell.setDisabled(document.getElementById("save"), false);
    });
  });
  dirtyChanged();

  var cell = shell.cell;
  function heads(table) {
    return Array.prototype.map.call(table.querySelectorAll("s-table-header"), function (h) { return h.textContent.trim(); });
  }
  function when(iso) {
    var t = document.createElement("time");
    t.setAttribute("datetime", iso);
    t.textContent = fmt.time(iso);
    return t;
  }
  var STATUS_TONES = { sent: "success", failed: "critical", queued: "info", skipped: "auto", held_out: "auto" };

  var alertsStatus = document.getElementById("alerts-status");
  api.get("/api/alerts").then(function (r) {
    var list = (r && r.alerts) || [];
    if (list.length === 0) { alertsStatus.textContent = "No alerts yet."; return; }
    var table = document.getElementById("alerts");
    var h = heads(table);
    var body = table.querySelector("s-table-body");
    list.forEach(function (a) {
      var row = document.createElement("s-table-row");
      cell(row, when(a.sent_at || a.created_at), "", h[0]);
      cell(row, a.kind_label, "", h[1]);
      cell(row, fmt.money(a.value, a.currency), "num", h[2]);
      var badge = document.createElement("s-badge");
      badge.setAttribute("tone", STATUS_TONES[a.status] || "auto");
      badge.textContent = a.status_label;
      cell(row, badge, "", h[3]);
      cell(row, String(a.attempts || 0), "num", h[4]);
      cell(row, a.last_error || "—", "", h[5]);
      body.appendChild(row);
    });
    table.hidden = false;
    alertsStatus.textContent = "";
  }).catch(function (e) {
    alertsStatus.textContent = e.status === 404 ? "No alerts yet." : "The alerts could not be loaded: " + e.message;
  });

  var drStatus = document.getElementById("data-requests-status");
  api.get("/api/data-requests").then(function (r) {
    var list = (r && r.data_requests) || [];
    if (list.length === 0) { drStatus.textContent = "No customer has asked yet."; return; }
    var table = document.getElementById("data-requests-table");
    var h = heads(table);
    var body = table.querySelector("s-table-body");
    list.forEach(function (d) {
      var row = document.createElement("s-table-row");
      cell(row, when(d.received_at), "", h[0]);
      cell(row, d.email || d.phone || "—", "", h[1]);
      cell(row, String(d.sessions), "num", h[2]);
      var a = document.createElement("a");
      a.textContent = "Download (JSON)";
      a.download = "data-request-" + d.data_request_id + ".json";
      a.href = URL.createObjectURL(new Blob([JSON.stringify(d.report, null, 2)], { type: "application/json" }));
      cell(row, a, "", h[3]);
      body.appendChild(row);
    });
    table.hidden = false;
    drStatus.textContent = "";
  }).catch(function (e) { drStatus.textContent = "The data requests could not be loaded: " + e.message; });

  // Storefront tracking: where the pixel and the theme embed stand, as
  // GET /api/storefront/status words it; "Try again" queues the pixel's
  // activation (POST /api/storefront/activate) and follows it until it
  // settles. The theme editor's link opens in the top window, out of the
  // admin's iframe.
  var PIXEL_TONES = { connected: "success", waiting: "info", quiet: "warning", pending: "info", failed: "critical", not_set_up: "warning" };
  var PIXEL_BADGES = { connected: "Connected", waiting: "Waiting", quiet: "Quiet", pending: "Connecting", failed: "Not connected", not_set_up: "Off" };
  var EMBED_TONES = { on: "success", off: "warning", no_theme: "auto", unknown: "auto" };
  var EMBED_BADGES = { on: "On", off: "Off", no_theme: "No theme", unknown: "Unknown" };
  var sfLoading = document.getElementById("storefront-loading");
  var sfState = document.getElementById("storefront-state");
  var retry = document.getElementById("pixel-retry");
  var follow = 0;
  function part(prefix, state, tones, badges, label, detail) {
    document.getElementById(prefix + "-status").setAttribute("data-state", state);
    var badge = document.getElementById(prefix + "-badge");
    badge.setAttribute("tone", tones[state] || "auto");
    badge.textContent = badges[state] || state;
    document.getElementById(prefix + "-label").textContent = label;
    document.getElementById(prefix + "-detail").textContent = detail;
  }
  function showStorefront(s) {
    part("pixel", s.pixel.state, PIXEL_TONES, PIXEL_BADGES, s.pixel.label, s.pixel.detail);
    part("embed", s.embed.state, EMBED_TONES, EMBED_BADGES, s.embed.label, s.embed.detail);
    retry.textContent = s.pixel.state === "not_set_up" ? "Connect the pixel" : "Try again";
    retry.hidden = !s.pixel.can_retry;
    sfState.hidden = false;
    sfLoading.textContent = "";
    sfState.setAttribute("data-loaded", "true");
    // A queued activation settles within seconds: look again a few times.
    if (s.pixel.state === "pending" && follow < 20) {
      follow++;
      setTimeout(loadStorefront, 1500);
    }
  }
  function loadStorefront() {
    return api.get("/api/storefront/status").then(showStorefront).catch(function (e) {
      sfLoading.textContent = "Storefront tracking could not be checked: " + e.message;
    });
  }
  retry.addEventListener("click", function () {
    shell.setDisabled(retry, true);
    follow = 0;
    api.post("/api/storefront/activate").then(showStorefront).catch(function (e) {
      shell.toast("Could not ask again: " + e.message, true);
    }).then(function () { shell.setDisabled(retry, false); });
  });
  loadStorefront();
})();
