(function () {
  "use strict";
  var api = window.funnelscope;
  var status = document.getElementById("status");
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  function day(d) { return d.toISOString().slice(0, 10); }
  function load() {
    var days = parseInt(document.getElementById("range").value, 10);
    var to = new Date();
    var from = new Date(to.getTime() - (days - 1) * 86400000);
    status.textContent = "Loading the report…";
    api.get("/api/funnel?from=" + day(from) + "&to=" + day(to)).then(function (r) {
      var body = document.querySelector("#stages tbody");
      body.textContent = "";
      r.stages.forEach(function (s) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-stage", s.key);
        [s.label, String(s.sessions), pct(s.rate_from_previous), pct(s.rate_from_start)].forEach(function (t) {
          var td = document.createElement("td"); td.textContent = t; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      ["abandoned_carts", "checkout_dropoffs", "payment_dropoffs"].forEach(function (k) {
        document.getElementById(k).textContent = String(r[k]);
      });
      document.getElementById("value_at_risk").textContent = r.value_at_risk + " " + (r.currency || "");
      document.getElementById("stages").hidden = false;
      document.getElementById("leaks").hidden = false;
      status.textContent = r.stages[0].sessions === 0 ? "No shopper sessions in this range yet. They appear here as carts and checkouts arrive from your store." : "";
    }).catch(function (e) { status.textContent = "The report could not be loaded: " + e.message; });
  }
  document.getElementById("range").addEventListener("change", load);
  load();
})();
