// The report page: reloads the server-rendered report view when the range
// or segment changes, draws the daily trend as a small SVG, and lists the
// shoppers who stopped.
(function () {
  "use strict";
  var api = window.funnelscope;
  var $ = function (id) { return document.getElementById(id); };
  var today = document.body.getAttribute("data-today") || new Date().toISOString().slice(0, 10);
  // The shop's time zone: the days of the report, and the times in the lists.
  var timeZone = document.body.getAttribute("data-timezone") || "UTC";
  var state = { from: "", to: "", segment: "", segmentValue: "", status: "abandoned_cart", sort: "time", order: "desc", page: 1, perPage: 20, q: "" };
  var loads = 0;
  // An alert's link opens the page with session=KEY: the list shows that
  // one shopper until the merchant asks for all.
  state.session = new URLSearchParams(window.location.search).get("session") || "";

  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  function range() {
    var v = $("range").value;
    if (v === "custom") { return { from: $("from").value, to: $("to").value }; }
    return { from: addDays(today, 1 - parseInt(v, 10)), to: today };
  }
  function query(extra) {
    var q = new URLSearchParams({ from: state.from, to: state.to });
    Object.keys(extra || {}).forEach(function (k) { if (extra[k] !== "") { q.set(k, extra[k]); } });
    return q.toString();
  }
  function status(text) { $("status").textContent = text; }

  function load() {
    var r = range();
    if (!r.from || !r.to) { status("Pick both dates."); return; }
    if (state.segment !== $("segment").value) { state.segmentValue = ""; }
    state.from = r.from; state.to = r.to; state.segment = $("segment").value; state.page = 1;
    var n = ++loads;
    status("Updating…");
    document.body.setAttribute("data-loading", "true");
    var report = api.html("/api/view/report?" + query({ segment: state.segment, segment_value: state.segmentValue })).then(function (html) {
      if (n !== loads) { return; }
      $("report-view").innerHTML = html;
      status("");
    }).catch(function (e) {
      if (n !== loads) { return; }
      status("The report could not be loaded: " + e.message);
    });
    Promise.all([report, loadTrend(n), loadList()]).then(function () {
      if (n === loads) { document.body.setAttribute("data-loading", "false"); }
    });
  }

  // ---- trend ----
  var SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function ratio(a, b) { return b > 0 ? a / b : null; }
  function loadTrend(n) {
    return api.get("/api/trend?" + query()).then(function (t) {
      if (n !== loads) { return; }
      drawTrend(t);
    }).catch(function (e) {
      if (n !== loads) { return; }
      $("trend").innerHTML = "";
      var p = document.createElement("p");
      p.className = "error-message";
      p.textContent = "The trend could not be loaded: " + e.message;
      $("trend").appendChild(p);
    });
  }
  function drawTrend(t) {
    var box = $("trend");
    box.textContent = "";
    var days = t.days || [];
    var carts = days.reduce(function (s, d) { return s + d.sessions[0]; }, 0);
    if (carts === 0) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No shoppers in this range, so there is no trend to draw yet.";
      box.appendChild(p);
      return;
    }
    var series = [
      { name: "Cart → checkout", cls: "s1", f: function (s) { return ratio(s[1], s[0]); } },
      { name: "Checkout → order", cls: "s2", f: function (s) { return ratio(s[5], s[1]); } },
      { name: "Cart → order", cls: "s3", f: function (s) { return ratio(s[5], s[0]); } }
    ];
    var W = 720, H = 220, L = 40, R = 10, T = 10, B = 28;
    var maxCarts = Math.max.apply(null, days.map(function (d) { return d.sessions[0]; })) || 1;
    var step = days.length > 1 ? (W - L - R) / (days.length - 1) : 0;
    var x = function (i) { return days.length > 1 ? L + i * step : (L + W - R) / 2; };
    var y = function (v) { return T + (1 - v) * (H - T - B); };
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Daily conversion", "class": "trend-svg" });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid" }, svg);
      el("text", { x: L - 6, y: y(v) + 4, "class": "axis", "text-anchor": "end" }, svg).textContent = Math.round(v * 100) + "%";
    });
    var bw = Math.max(Math.min(step * 0.7, 18), 2);
    days.forEach(function (d, i) {
      var h = (d.sessions[0] / maxCarts) * (H - T - B) * 0.35;
      var r = el("rect", { x: x(i) - bw / 2, y: H - B - h, width: bw, height: h, "class": "volume" }, svg);
      el("title", {}, r).textContent = d.date + ": " + d.sessions[0] + " carts, " + d.sessions[5] + " orders";
    });
    series.forEach(function (s) {
      var path = "", pen = false;
      days.forEach(function (d, i) {
        var v = s.f(d.sessions);
        if (v === null) { pen = false; return; }
        path += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
        pen = true;
        if (days.length <= 31) { el("circle", { cx: x(i), cy: y(v), r: 2.5, "class": "dot " + s.cls }, svg); }
      });
      if (path) { el("path", { d: path, "class": "line " + s.cls }, svg); }
    });
    var labels = [0, Math.floor((days.length - 1) / 2), days.length - 1].filter(function (v, i, a) { return a.indexOf(v) === i; });
    labels.forEach(function (i) {
      el("text", { x: x(i), y: H - 8, "class": "axis", "text-anchor": i === 0 && days.length > 1 ? "start" : (i === days.length - 1 && days.length > 1 ? "end" : "middle") }, svg).textContent = days[i].date;
    });
    box.appendChild(svg);
    var legend = document.createElement("ul");
    legend.className = "legend";
    series.concat([{ name: "Carts per day", cls: "volume" }]).forEach(function (s) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch " + s.cls;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.name));
      legend.appendChild(li);
    });
    box.appendChild(legend);
  }

  // ---- lists ----
  // The sessions come with their labels and their value as text: the
  // server's rules, written nowhere else.
  var EMPTY = { abandoned_cart: "No abandoned carts in this range.", checkout_dropoff: "No checkout drop-offs in this range.",
    payment_dropoff: "No payment drop-offs in this range.", recovered: "No recovered carts in this range yet.",
    session: "This shopper is not in this store's records: the link may be from another store's alert, or the shopper's data was erased on request." };
  function when(iso) {
    var d = new Date(iso);
    var opts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timeZone };
    // A browser that does not know the zone shows UTC, and says so.
    try { return d.toLocaleString(undefined, opts); } catch (e) { opts.timeZone = "UTC"; return d.toLocaleString(undefined, opts) + " UTC"; }
  }
  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    if (text instanceof Node) { td.appendChild(text); } else { td.textContent = text; }
    tr.appendChild(td);
    return td;
  }
  // The lists show the chosen range's shoppers of the chosen segment
  // value, searched by e-mail, phone or product; the export takes the
  // same query without the page.
  function listQuery(paged) {
    if (state.session) { return new URLSearchParams({ session: state.session }).toString(); }
    var q = { status: state.status, sort: state.sort, order: state.order, q: state.q,
      segment: state.segmentValue ? state.segment : "", segment_value: state.segmentValue };
    if (paged !== false) { q.page = state.page; q.per_page = state.perPage; }
    return query(q);
  }
  // A row leads to its shopper's page, with the admin's query (shop,
  // host, embedded); api.js adds a fresh token when it is followed.
  function sessionLink(s, text) {
    var a = document.createElement("a");
    var keep = new URLSearchParams();
    new URLSearchParams(window.location.search).forEach(function (v, k) {
      if (k === "shop" || k === "host" || k === "embedded") { keep.set(k, v); }
    });
    a.href = "/sessions/" + encodeURIComponent(s.key) + (keep.toString() ? "?" + keep.toString() : "");
    a.setAttribute("data-keep-query", "");
    a.className = "session-link";
    a.textContent = text;
    return a;
  }
  function showOneShopper() {
    $("one-shopper").hidden = !state.session;
    $("lists").querySelector("[role=tablist]").hidden = !!state.session;
  }
  function showAllShoppers() {
    state.session = "";
    var u = new URL(window.location.href);
    u.searchParams.delete("session");
    window.history.replaceState(null, "", u.toString());
    state.page = 1;
    showOneShopper();
    return loadList();
  }
  function loadList() {
    var q = listQuery();
    $("list-status").textContent = "Loading…";
    return api.get("/api/sessions?" + q).then(function (r) {
      var body = $("sessions").querySelector("tbody");
      body.textContent = "";
      r.sessions.forEach(function (s) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-key", s.key);
        tr.setAttribute("data-value", s.value);
        tr.setAttribute("data-started", s.started_at);
        cell(tr, sessionLink(s, when(s.started_at)));
        cell(tr, s.value_display, "num");
        var items = (s.line_items || []).map(function (li) { return li.quantity + " × " + li.title; }).join(", ");
        cell(tr, items || String(s.item_count));
        cell(tr, s.furthest_stage_label);
        cell(tr, s.email || s.phone || "—");
        cell(tr, s.country || "—");
        var badge = document.createElement("span");
        badge.className = "badge badge-" + s.status;
        badge.textContent = s.status_label;
        cell(tr, badge);
        if (s.recovery_url && /^https:\/\//.test(s.recovery_url)) {
          var a = document.createElement("a");
          a.href = s.recovery_url; a.target = "_blank"; a.rel = "noopener noreferrer";
          a.textContent = "Open checkout";
          cell(tr, a);
        } else { cell(tr, "—"); }
        body.appendChild(tr);
      });
      var pages = Math.max(1, Math.ceil(r.total / r.per_page));
      $("sessions").hidden = r.sessions.length === 0;
      $("pager").hidden = r.total <= r.per_page;
      $("page-info").textContent = "Page " + r.page + " of " + pages + " · " + r.total + " shoppers";
      $("prev").disabled = r.page <= 1;
      $("next").disabled = r.page >= pages;
      $("list-status").textContent = r.sessions.length === 0 ? (state.session ? EMPTY.session :
        (state.q ? "No shoppers here match “" + state.q + "”." : EMPTY[state.status])) : "";
      document.querySelectorAll("button.sort").forEach(function (b) {
        b.setAttribute("aria-sort", b.getAttribute("data-sort") === state.sort ? (state.order === "asc" ? "ascending" : "descending") : "none");
      });
    }).catch(function (e) {
      $("sessions").hidden = true;
      $("pager").hidden = true;
      $("list-status").textContent = "The list could not be loaded: " + e.message;
    });
  }

  $("range").addEventListener("change", function () {
    var custom = $("range").value === "custom";
    $("custom-range").hidden = !custom;
    if (!custom) { load(); }
  });
  $("apply-range").addEventListener("click", load);
  // The segment table's rows and the filter banner come with each report
  // view: one listener on their container serves every version.
  $("report-view").addEventListener("click", function (ev) {
    var show = ev.target.closest && ev.target.closest("[data-show-segment]");
    if (show) { state.segmentValue = show.getAttribute("data-show-segment"); load(); return; }
    if (ev.target.closest && ev.target.closest("#clear-segment-value")) { state.segmentValue = ""; load(); }
  });
  $("segment").addEventListener("change", load);
  document.querySelectorAll("#lists [role=tab]").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll("#lists [role=tab]").forEach(function (o) { o.setAttribute("aria-selected", String(o === b)); });
      state.status = b.getAttribute("data-status");
      state.page = 1;
      loadList();
    });
  });
  document.querySelectorAll("button.sort").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.getAttribute("data-sort");
      state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
      state.sort = key;
      state.page = 1;
      loadList();
    });
  });
  $("all-shoppers").addEventListener("click", showAllShoppers);
  // A click anywhere on a row opens its shopper, as its link does.
  $("sessions").querySelector("tbody").addEventListener("click", function (ev) {
    if (ev.target.closest("a, button")) { return; }
    var tr = ev.target.closest("tr");
    var link = tr && tr.querySelector("a.session-link");
    if (link) { link.click(); }
  });
  $("list-tools").addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.q = $("list-search").value.trim();
    state.page = 1;
    loadList();
  });
  // The export is a download the browser streams to disk: a navigation,
  // with the session token in its query (api.download).
  $("export-csv").addEventListener("click", function (ev) {
    ev.preventDefault();
    $("list-status").textContent = "Preparing the export…";
    api.download("/api/sessions.csv?" + listQuery(false)).then(function () {
      $("list-status").textContent = "";
    }).catch(function (e) { $("list-status").textContent = "The export could not start: " + e.message; });
  });
  $("prev").addEventListener("click", function () { state.page = Math.max(1, state.page - 1); loadList(); });
  $("next").addEventListener("click", function () { state.page += 1; loadList(); });

  // The first report view came with the page; fetch only the rest.
  var first = document.querySelector("#report-view .report");
  state.from = first ? first.getAttribute("data-from") : range().from;
  state.to = first ? first.getAttribute("data-to") : range().to;
  document.body.setAttribute("data-loading", "true");
  showOneShopper();
  Promise.all([loadTrend(0), loadList()]).then(function () {
    if (loads === 0) { document.body.setAttribute("data-loading", "false"); }
    if (state.session) { $("one-shopper").scrollIntoView(); }
  });
})();
