// The report page: reloads the server-rendered report view when the range
// or segment changes, draws the daily trend as a small SVG (with the same
// numbers as a table), and lists the shoppers who stopped. The page's state
// (range, segment, tab, sort, page, search, one shopper) lives in its address, so a
// reload, the back button and a shared link show the same report; inside
// the admin, App Bridge keeps the admin's address in step with it.
(function () {
  "use strict";
  var api = window.funnelscope;
  var fmt = window.funnelscopeFormat;
  var shell = window.funnelscopeShell;
  var $ = function (id) { return document.getElementById(id); };
  var today = document.body.getAttribute("data-today") || new Date().toISOString().slice(0, 10);
  var TABS = ["abandoned_cart", "checkout_dropoff", "payment_dropoff", "recovered"];
  var PRESETS = Array.prototype.map.call($("range").options, function (o) { return o.value; }).filter(function (v) { return v !== "custom"; });
  var DEFAULT = { range: "30", status: "abandoned_cart", sort: "time", order: "desc", page: 1 };
  var state = { range: DEFAULT.range, from: "", to: "", segment: "", segmentValue: "", status: DEFAULT.status,
    sort: DEFAULT.sort, order: DEFAULT.order, page: 1, perPage: 20, session: "", q: "" };
  var loads = 0;
  var lastTrend = null;

  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  // ---- state in the address ----
  function readURL() {
    var q = new URLSearchParams(window.location.search);
    if (q.get("from") || q.get("to")) {
      state.range = "custom"; state.from = q.get("from") || ""; state.to = q.get("to") || "";
    } else {
      state.range = PRESETS.indexOf(q.get("range")) >= 0 ? q.get("range") : DEFAULT.range;
      state.from = addDays(today, 1 - parseInt(state.range, 10)); state.to = today;
    }
    state.segment = q.get("segment") || "";
    state.segmentValue = state.segment ? q.get("segment_value") || "" : "";
    state.status = TABS.indexOf(q.get("tab")) >= 0 ? q.get("tab") : DEFAULT.status;
    state.sort = q.get("sort") === "value" ? "value" : DEFAULT.sort;
    state.order = q.get("order") === "asc" ? "asc" : DEFAULT.order;
    state.page = Math.max(1, parseInt(q.get("page"), 10) || 1);
    // An alert's link opens the page with session=KEY: the list shows that
    // one shopper until the merchant asks for all.
    state.session = q.get("session") || "";
    state.q = q.get("q") || "";
  }
  // writeURL puts the state in the address, leaving the admin's own
  // parameters (shop, host, embedded, locale…) as they are; push makes it
  // a new entry of the history, for the back button.
  function writeURL(push) {
    var u = new URL(window.location.href);
    var set = function (k, v, def) { if (v === "" || v === def || v === undefined) { u.searchParams.delete(k); } else { u.searchParams.set(k, String(v)); } };
    var custom = state.range === "custom";
    set("range", custom ? "" : state.range, DEFAULT.range);
    set("from", custom ? state.from : "");
    set("to", custom ? state.to : "");
    set("segment", state.segment);
    set("segment_value", state.segmentValue);
    set("tab", state.status, DEFAULT.status);
    set("sort", state.sort, DEFAULT.sort);
    set("order", state.order, DEFAULT.order);
    set("page", state.page, 1);
    set("session", state.session);
    set("q", state.q);
    if (u.toString() === window.location.href) { return; }
    if (push) { window.history.pushState(null, "", u.toString()); } else { window.history.replaceState(null, "", u.toString()); }
  }
  // showState sets the controls to the state.
  function showState() {
    $("range").value = state.range;
    $("custom-range").hidden = state.range !== "custom";
    if (state.range === "custom") { $("from").value = state.from; $("to").value = state.to; }
    $("segment").value = state.segment;
    $("list-search").value = state.q;
    selectTab(state.status, false);
    showOneShopper();
  }

  function query(extra) {
    var q = new URLSearchParams({ from: state.from, to: state.to });
    Object.keys(extra || {}).forEach(function (k) { if (extra[k] !== "") { q.set(k, extra[k]); } });
    return q.toString();
  }
  function status(text) { $("status").textContent = text; }

  // loadAll reloads the report view, the trend and the list.
  function loadAll() {
    if (!state.from || !state.to) { status("Pick both dates."); return; }
    var n = ++loads;
    status("Updating…");
    document.body.setAttribute("data-loading", "true");
    var report = api.html("/api/view/report?" + query({ segment: state.segment, segment_value: state.segmentValue })).then(function (html) {
      if (n !== loads) { return; }
      $("report-view").innerHTML = html;
      fmt.apply($("report-view"));
      status("");
    }).catch(function (e) {
      if (n !== loads) { return; }
      status("The report could not be loaded: " + e.message);
    });
    Promise.all([report, loadTrend(n), loadList()]).then(function () {
      if (n === loads) { document.body.setAttribute("data-loading", "false"); }
    });
  }
  // change applies a merchant's change of state: a new history entry, then
  // what it needs reloaded.
  function change(what) {
    if (what === "report") { state.page = 1; }
    writeURL(true);
    if (what === "list") { loadList(); } else { loadAll(); }
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
  // percent is n of d rounded once to one decimal, halves up, as the
  // server's funnel.Percent writes it: "22.7%", or "—" for nothing to divide.
  function percent(n, d) {
    if (!(d > 0)) { return "—"; }
    var tenths = Math.floor((2000 * n + d) / (2 * d));
    return (tenths / 10).toFixed(1) + "%";
  }
  var SERIES = [
    { name: "Cart → checkout", cls: "s1", mark: "circle", n: 1, d: 0 },
    { name: "Checkout → order", cls: "s2", mark: "square", n: 5, d: 1 },
    { name: "Cart → order", cls: "s3", mark: "triangle", n: 5, d: 0 }
  ];
  function marker(svg, kind, x, y, cls, size) {
    var r = size || 3;
    if (kind === "square") { return el("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, "class": "dot " + cls }, svg); }
    if (kind === "triangle") { return el("path", { d: "M" + x + " " + (y - r - 1) + "L" + (x + r + 1) + " " + (y + r) + "L" + (x - r - 1) + " " + (y + r) + "Z", "class": "dot " + cls }, svg); }
    return el("circle", { cx: x, cy: y, r: r, "class": "dot " + cls }, svg);
  }
  function loadTrend(n) {
    return api.get("/api/trend?" + query()).then(function (t) {
      if (n !== loads) { return; }
      lastTrend = t;
      drawTrend(t);
    }).catch(function (e) {
      if (n !== loads) { return; }
      lastTrend = null;
      $("trend").innerHTML = "";
      $("trend-data").hidden = true;
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
    trendTable(days);
    if (carts === 0) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No shoppers in this range, so there is no trend to draw yet.";
      box.appendChild(p);
      return;
    }
    // Drawn at the box's own width, so that its labels are real 12-pixel
    // text; a narrow box gets fewer ticks.
    var W = Math.max(280, Math.round(box.clientWidth || 720)), narrow = W < 520;
    var H = narrow ? 220 : 240, L = 40, R = 48, T = 12, B = 30;
    var maxCarts = Math.max.apply(null, days.map(function (d) { return d.sessions[0]; })) || 1;
    var step = days.length > 1 ? (W - L - R) / (days.length - 1) : 0;
    var x = function (i) { return days.length > 1 ? L + i * step : (L + W - R) / 2; };
    var y = function (v) { return T + (1 - v) * (H - T - B); };
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "aria-labelledby": "trend-title", "class": "trend-svg" });
    el("title", { id: "trend-title" }, svg).textContent = "Daily conversion, " + fmt.day(days[0].date) + " to " + fmt.day(days[days.length - 1].date) + " (the table below has the numbers)";
    (narrow ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1]).forEach(function (v) {
      el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid" }, svg);
      el("text", { x: L - 6, y: y(v) + 4, "class": "axis", "text-anchor": "end", "font-size": 12 }, svg).textContent = Math.round(v * 100) + "%";
    });
    var bw = Math.max(Math.min(step * 0.7, 18), 2);
    days.forEach(function (d, i) {
      var h = (d.sessions[0] / maxCarts) * (H - T - B) * 0.35;
      var r = el("rect", { x: x(i) - bw / 2, y: H - B - h, width: bw, height: h, "class": "volume" }, svg);
      el("title", {}, r).textContent = fmt.day(d.date) + ": " + d.sessions[0] + " carts, " + d.sessions[5] + " orders";
    });
    // Each series has its own line pattern and marker, and its last value
    // written at its end, so that none is told apart by colour alone.
    var ends = [];
    SERIES.forEach(function (s) {
      var path = "", pen = false, last = null;
      days.forEach(function (d, i) {
        var v = ratio(d.sessions[s.n], d.sessions[s.d]);
        if (v === null) { pen = false; return; }
        path += (pen ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1) + " ";
        pen = true;
        last = { i: i, v: v, d: d };
        if (days.length <= 31) { marker(svg, s.mark, x(i), y(v), s.cls); }
      });
      if (path) { el("path", { d: path, "class": "line " + s.cls }, svg); }
      if (last) { ends.push({ s: s, x: x(last.i), y: y(last.v), text: percent(last.d.sessions[s.n], last.d.sessions[s.d]) }); }
    });
    // End labels keep 14 px apart.
    ends.sort(function (a, b) { return a.y - b.y; });
    ends.forEach(function (e, i) { if (i > 0 && e.y - ends[i - 1].y < 14) { e.y = ends[i - 1].y + 14; } });
    ends.forEach(function (e) {
      el("text", { x: e.x + 6, y: e.y + 4, "class": "axis end-label " + e.s.cls, "font-size": 12, "aria-hidden": "true" }, svg).textContent = e.text;
    });
    var ticks = Math.min(days.length, Math.max(2, Math.floor((W - L - R) / (narrow ? 90 : 110))));
    var labels = [];
    for (var k = 0; k < ticks; k++) { labels.push(ticks === 1 ? 0 : Math.round(k * (days.length - 1) / (ticks - 1))); }
    labels.filter(function (v, i, a) { return a.indexOf(v) === i; }).forEach(function (i) {
      var anchor = days.length > 1 && i === 0 ? "start" : (days.length > 1 && i === days.length - 1 ? "end" : "middle");
      el("text", { x: x(i), y: H - 10, "class": "axis", "text-anchor": anchor, "font-size": 12 }, svg).textContent = fmt.day(days[i].date, true);
    });
    box.appendChild(svg);
    var legend = document.createElement("ul");
    legend.className = "legend";
    SERIES.concat([{ name: "Carts per day", cls: "volume" }]).forEach(function (s) {
      var li = document.createElement("li");
      var sample = el("svg", { width: 28, height: 12, "aria-hidden": "true" });
      if (s.cls === "volume") { el("rect", { x: 8, y: 1, width: 12, height: 10, "class": "volume" }, sample); } else {
        el("path", { d: "M1 6L27 6", "class": "line " + s.cls }, sample);
        marker(sample, s.mark, 14, 6, s.cls);
      }
      var wrap = document.createElement("span");
      wrap.className = "trend";
      wrap.appendChild(sample);
      li.appendChild(wrap);
      li.appendChild(document.createTextNode(s.name));
      legend.appendChild(li);
    });
    box.appendChild(legend);
  }
  // trendTable writes the trend's numbers, the chart's text alternative.
  function trendTable(days) {
    var body = $("trend-table").querySelector("s-table-body");
    body.textContent = "";
    var heads = Array.prototype.map.call($("trend-table").querySelectorAll("s-table-header"), function (h) { return h.textContent; });
    days.forEach(function (d) {
      var row = document.createElement("s-table-row");
      var s = d.sessions;
      [fmt.day(d.date), String(s[0])].concat(SERIES.map(function (x) { return percent(s[x.n], s[x.d]); })).forEach(function (text, i) {
        cell(row, text, i > 0 ? "num" : "", heads[i]);
      });
      body.appendChild(row);
    });
    $("trend-data").hidden = days.length === 0;
  }
  var resizeTimer = 0, drawnWidth = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      var w = $("trend").clientWidth;
      if (lastTrend && Math.abs(w - drawnWidth) > 40) { drawnWidth = w; drawTrend(lastTrend); }
    }, 150);
  });

  // ---- lists ----
  // The sessions come with their labels from the server's rules; the page
  // writes their values and times in the merchant's locale and the shop's zone.
  var EMPTY = { abandoned_cart: "No abandoned carts in this range.", checkout_dropoff: "No checkout drop-offs in this range.",
    payment_dropoff: "No payment drop-offs in this range.", recovered: "No recovered carts in this range yet.",
    session: "This shopper is not in this store's records: the link may be from another store's alert, or the shopper's data was erased on request." };
  var LIST_HEADS = Array.prototype.map.call($("sessions").querySelectorAll("s-table-header"), function (h) { return h.textContent.trim(); });
  var cell = shell.cell;
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
  function loadList() {
    var q = listQuery();
    $("list-status").textContent = "Loading…";
    return api.get("/api/sessions?" + q).then(function (r) {
      var body = $("sessions").querySelector("s-table-body");
      body.textContent = "";
      r.sessions.forEach(function (s) {
        var row = document.createElement("s-table-row");
        row.setAttribute("data-key", s.key);
        row.setAttribute("data-value", s.value);
        row.setAttribute("data-started", s.started_at);
        var when = document.createElement("time");
        when.setAttribute("datetime", s.started_at);
        when.textContent = fmt.time(s.started_at);
        var link = sessionLink(s, "");
        link.appendChild(when);
        cell(row, link, "", LIST_HEADS[0]);
        cell(row, fmt.money(s.value, s.currency), "num", LIST_HEADS[1]);
        var items = (s.line_items || []).map(function (li) { return li.quantity + " × " + li.title; }).join(", ");
        cell(row, items || String(s.item_count), "", LIST_HEADS[2]);
        cell(row, s.furthest_stage_label, "", LIST_HEADS[3]);
        cell(row, s.email || s.phone || "—", "", LIST_HEADS[4]);
        cell(row, s.country || "—", "", LIST_HEADS[5]);
        var badge = document.createElement("s-badge");
        badge.setAttribute("tone", s.status_tone);
        badge.textContent = s.status_label;
        cell(row, badge, "", LIST_HEADS[6]);
        if (s.recovery_url && /^https:\/\//.test(s.recovery_url)) {
          var a = document.createElement("s-link");
          a.setAttribute("href", s.recovery_url);
          a.setAttribute("target", "_blank");
          a.textContent = "Open checkout";
          cell(row, a, "", LIST_HEADS[7]);
        } else { cell(row, "—", "", LIST_HEADS[7]); }
        body.appendChild(row);
      });
      var pages = Math.max(1, Math.ceil(r.total / r.per_page));
      $("sessions").hidden = r.sessions.length === 0;
      $("pager").hidden = r.total <= r.per_page;
      $("page-info").textContent = "Page " + r.page + " of " + pages + " · " + r.total + " shoppers";
      shell.setDisabled($("prev"), r.page <= 1);
      shell.setDisabled($("next"), r.page >= pages);
      $("list-status").textContent = r.sessions.length === 0 ? (state.session ? EMPTY.session :
        (state.q ? "No shoppers here match “" + state.q + "”." : EMPTY[state.status])) : "";
      // The header cells say how the rows they head are sorted.
      document.querySelectorAll("button.sort").forEach(function (b) {
        var key = b.getAttribute("data-sort");
        b.parentElement.setAttribute("aria-sort", key === state.sort ? (state.order === "asc" ? "ascending" : "descending") : "none");
      });
    }).catch(function (e) {
      $("sessions").hidden = true;
      $("pager").hidden = true;
      $("list-status").textContent = "The list could not be loaded: " + e.message;
    });
  }

  // ---- tabs: arrow keys, Home and End move between them ----
  var tabs = Array.prototype.slice.call(document.querySelectorAll("#lists [role=tab]"));
  function selectTab(key, focus) {
    tabs.forEach(function (t) {
      var on = t.getAttribute("data-status") === key;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      if (on) {
        $("list-panel").setAttribute("aria-labelledby", t.id);
        if (focus) { t.focus(); }
      }
    });
  }
  function chooseTab(t) {
    var key = t.getAttribute("data-status");
    if (key === state.status) { return; }
    state.status = key;
    state.page = 1;
    selectTab(key, false);
    change("list");
  }
  tabs.forEach(function (t, i) {
    t.addEventListener("click", function () { chooseTab(t); });
    t.addEventListener("keydown", function (ev) {
      var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
      if (next === undefined) { return; }
      ev.preventDefault();
      var to = tabs[(next + tabs.length) % tabs.length];
      to.focus();
      chooseTab(to);
    });
  });

  // ---- controls ----
  $("range").addEventListener("change", function () {
    var v = $("range").value;
    $("custom-range").hidden = v !== "custom";
    if (v === "custom") { $("from").value = state.from; $("to").value = state.to; $("from").focus(); return; }
    state.range = v;
    state.from = addDays(today, 1 - parseInt(v, 10));
    state.to = today;
    change("report");
  });
  $("apply-range").addEventListener("click", function () {
    if (!$("from").value || !$("to").value) { status("Pick both dates."); return; }
    state.range = "custom";
    state.from = $("from").value;
    state.to = $("to").value;
    change("report");
  });
  // The segment table's rows and the filter banner come with each report
  // view: one listener on their container serves every version.
  $("report-view").addEventListener("click", function (ev) {
    var show = ev.target.closest && ev.target.closest("[data-show-segment]");
    if (show) { state.segmentValue = show.getAttribute("data-show-segment"); change("report"); return; }
    if (ev.target.closest && ev.target.closest("#clear-segment-value")) { state.segmentValue = ""; change("report"); }
  });
  $("segment").addEventListener("change", function () {
    state.segment = $("segment").value;
    state.segmentValue = "";
    change("report");
  });
  document.querySelectorAll("button.sort").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.getAttribute("data-sort");
      state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
      state.sort = key;
      state.page = 1;
      change("list");
    });
  });
  $("all-shoppers").addEventListener("click", function () {
    state.session = "";
    state.page = 1;
    showOneShopper();
    change("list");
  });
  // A click anywhere on a row opens its shopper, as its link does.
  $("sessions").querySelector("s-table-body").addEventListener("click", function (ev) {
    if (ev.target.closest("a, button, s-link, s-button")) { return; }
    var row = ev.target.closest("s-table-row");
    var link = row && row.querySelector("a.session-link");
    if (link) { link.click(); }
  });
  $("list-tools").addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.q = $("list-search").value.trim();
    state.page = 1;
    change("list");
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
  $("prev").addEventListener("click", function () { state.page = Math.max(1, state.page - 1); change("list"); });
  $("next").addEventListener("click", function () { state.page += 1; change("list"); });
  $("refresh").addEventListener("click", loadAll);
  // Back and forward: the address says the state; show it.
  window.addEventListener("popstate", function () {
    readURL();
    showState();
    loadAll();
  });

  // The first report view came with the page, for the address's range and
  // segment; fetch only the rest.
  readURL();
  var first = document.querySelector("#report-view .report");
  if (first && first.getAttribute("data-from")) { state.from = first.getAttribute("data-from"); state.to = first.getAttribute("data-to"); }
  showState();
  document.body.setAttribute("data-loading", "true");
  Promise.all([loadTrend(0), loadList()]).then(function () {
    drawnWidth = $("trend").clientWidth;
    if (loads === 0) { document.body.setAttribute("data-loading", "false"); }
    if (state.session) { $("one-shopper").scrollIntoView(); }
  });
})();
