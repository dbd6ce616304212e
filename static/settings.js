(function () {
  "use strict";
  var api = window.funnelscope;
  var form = document.getElementById("settings-form");
  var status = document.getElementById("status");
  function showError(field, message) {
    form.querySelectorAll(".field-error").forEach(function (p) {
      p.hidden = p.getAttribute("data-field") !== field;
      p.textContent = p.hidden ? "" : message;
    });
  }
  api.get("/api/settings").then(function (s) {
    form.abandon_after_minutes.value = s.abandon_after_minutes;
  }).catch(function (e) { status.textContent = "The settings could not be loaded: " + e.message; });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    showError("", "");
    status.textContent = "Saving…";
    api.put("/api/settings", { abandon_after_minutes: parseInt(form.abandon_after_minutes.value, 10) || 0 })
      .then(function () { status.textContent = "Saved."; })
      .catch(function (e) { status.textContent = ""; showError(e.field, e.message); });
  });
})();
