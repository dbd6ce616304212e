// The settings page: the abandonment threshold and the alert settings,
// saved with PUT /api/settings; errors show beside their field.
(function () {
  "use strict";
  var api = window.funnelscope;
  var form = document.getElementById("settings-form");
  var status = document.getElementById("status");
  // The server's defaults (GET /api/settings' "defaults"): what an empty
  // field means, shown as its placeholder. The page writes none of its own.
  var defaults = null;
  // The zone the settings showed: saved again only when the merchant
  // changes it, so that a store that never chose one keeps following the
  // zone it has in Shopify.
  var shownZone = "";

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
  function fill(v) {
    defaults = v.defaults;
    form.min_value.placeholder = defaults.min_value;
    form.immediate_min_value.placeholder = defaults.immediate_min_value;
    form.abandon_after_minutes.value = v.abandon_after_minutes;
    form.alerts_enabled.checked = v.alerts_enabled;
    form.min_value.value = v.min_value;
    form.querySelectorAll("input[name=kinds]").forEach(function (c) { c.checked = v.kinds.indexOf(c.value) >= 0; });
    form.emails.value = v.emails.join(", ");
    form.chat_webhook_url.value = v.chat_webhook_url;
    form.immediate_min_value.value = v.immediate_min_value;
    form.digest.value = v.digest;
    form.timezone.value = v.timezone;
    shownZone = form.timezone.value;
  }
  function read() {
    var kinds = [];
    form.querySelectorAll("input[name=kinds]:checked").forEach(function (c) { kinds.push(c.value); });
    var s = {
      abandon_after_minutes: parseInt(form.abandon_after_minutes.value, 10) || 0,
      alerts_enabled: form.alerts_enabled.checked,
      min_value: form.min_value.value.trim() || defaults.min_value,
      kinds: kinds,
      emails: form.emails.value.split(/[\s,;]+/).filter(function (e) { return e !== ""; }),
      chat_webhook_url: form.chat_webhook_url.value.trim(),
      immediate_min_value: form.immediate_min_value.value.trim() || defaults.immediate_min_value,
      digest: form.digest.value
    };
    var zone = form.timezone.value.trim();
    if (zone !== "" && zone !== shownZone) { s.timezone = zone; }
    return s;
  }

  api.get("/api/settings").then(fill).catch(function (e) {
    status.textContent = "The settings could not be loaded: " + e.message;
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!defaults) {
      status.textContent = "The settings could not be loaded, so they cannot be saved: reload the page.";
      return;
    }
    showError("", "");
    status.textContent = "Saving…";
    form.setAttribute("data-saved", "false");
    var sent = read();
    api.put("/api/settings", sent).then(function (s) {
      fill(s);
      status.textContent = "Saved.";
      form.setAttribute("data-saved", "true");
    }).catch(function (e) {
      status.textContent = "Not saved.";
      showError(e.field || "", e.message);
    });
  });

  var alertsStatus = document.getElementById("alerts-status");
  api.get("/api/alerts").then(function (r) {
    var list = (r && r.alerts) || [];
    if (list.length === 0) { alertsStatus.textContent = "No alerts yet."; return; }
    var body = document.querySelector("#alerts tbody");
    list.forEach(function (a) {
      var tr = document.createElement("tr");
      [new Date(a.sent_at || a.created_at).toLocaleString(), a.kind_label, a.value_display,
        a.status, String(a.attempts || 0), a.last_error || "—"].forEach(function (t, i) {
        var td = document.createElement("td");
        if (i === 2) { td.className = "num"; }
        td.textContent = t;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById("alerts").hidden = false;
    alertsStatus.textContent = "";
  }).catch(function (e) {
    alertsStatus.textContent = e.status === 404 ? "No alerts yet." : "The alerts could not be loaded: " + e.message;
  });

  var drStatus = document.getElementById("data-requests-status");
  api.get("/api/data-requests").then(function (r) {
    var list = (r && r.data_requests) || [];
    if (list.length === 0) { drStatus.textContent = "No customer has asked yet."; return; }
    var body = document.querySelector("#data-requests-table tbody");
    list.forEach(function (d) {
      var tr = document.createElement("tr");
      [new Date(d.received_at).toLocaleString(), d.email || d.phone || "—", String(d.sessions)].forEach(function (t, i) {
        var td = document.createElement("td");
        if (i === 2) { td.className = "num"; }
        td.textContent = t;
        tr.appendChild(td);
      });
      var td = document.createElement("td");
      var a = document.createElement("a");
      a.textContent = "Download (JSON)";
      a.download = "data-request-" + d.data_request_id + ".json";
      a.href = URL.createObjectURL(new Blob([JSON.stringify(d.report, null, 2)], { type: "application/json" }));
      td.appendChild(a);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    document.getElementById("data-requests-table").hidden = false;
    drStatus.textContent = "";
  }).catch(function (e) { drStatus.textContent = "The data requests could not be loaded: " + e.message; });
})();
