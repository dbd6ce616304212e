// The report page: reloads the server-rendered report view when the range
// or segment changes, draws the daily trend as a small SVG (with the same
// numbers as a table) and the store's changes on it, and lists the
// shoppers who stopped (lists.js, which also keeps the page's state in its
// address, so a reload, the back button and a shared link show the same
// report; inside the admin, App Bridge keeps the admin's address in step).
(function () {
  "use strict";
  var api = window.funnelscope;
  var fmt = window.funnelscopeFormat;
  var shell = window.funnelscopeShell;
  var lists = window.funnelscopeLists;
  var $ = function (id) { return document.getElementById(id); };
  var state = lists.newState();
  var loads = 0;
  var lastTrend = null;
  var changes = [];

  // showState sets the controls to the state.
  function showState() {
    lists.showRange(state);
    $("segment").value = state.segment;
    list.show();
  }
  function query(extra) { return lists.query(state, extra); }
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
    Promise.all([report, loadTrend(n), list.load()]).then(function () {
      if (n === loads) { document.body.setAttribute("data-loading", "false"); }
    });
  }
  // change applies a merchant's change of state: a new history entry, then
  // what it needs reloaded.
  function change(what) {
    if (what === "report") { state.page = 1; }
    lists.writeURL(state, true);
    if (what === "list") { list.load(); } else { loadAll(); }
  }
  var list = lists.list(state, function () { change("list"); });

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
  // loadTrend loads the days and the store's changes of the range; the
  // trend is drawn without the changes when they alone fail, and says so.
  function loadTrend(n) {
    var marked = api.get("/api/changes?" + query()).then(function (r) { return r.changes || []; }, function () { return null; });
    return Promise.all([api.get("/api/trend?" + query()), marked]).then(function (r) {
      if (n !== loads) { return; }
      lastTrend = r[0];
      changes = r[1];
      drawTrend(lastTrend);
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
    var marks = changeMarks(days);
    trendTable(days, marks);
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
    var H = narrow ? 220 : 240, L = 40, R = 48, T = marks.length ? 34 : 12, B = 30;
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
    drawMarks(svg, marks, x, T, H - B);
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
    SERIES.concat([{ name: "Carts per day", cls: "volume" }], marks.length ? [{ name: "Store change (numbered below)", cls: "change" }] : []).forEach(function (s) {
      var li = document.createElement("li");
      var sample = el("svg", { width: 28, height: 12, "aria-hidden": "true" });
      if (s.cls === "volume") { el("rect", { x: 8, y: 1, width: 12, height: 10, "class": "volume" }, sample); } else if (s.cls === "change") {
        el("line", { x1: 14, x2: 14, y1: 0, y2: 12, "class": "change-line" }, sample);
      } else {
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
    changeList(box, marks);
  }
  // changeMarks groups the range's store changes by the day of the trend
  // they fall on, numbered from the earliest: [{i: day index, changes}].
  function changeMarks(days) {
    var at = {};
    days.forEach(function (d, i) { at[d.date] = i; });
    var byDay = {}, marks = [], n = 0;
    (changes || []).slice().reverse().forEach(function (c) {
      if (at[c.day] === undefined) { return; }
      c.n = ++n;
      if (!byDay[c.day]) { byDay[c.day] = { i: at[c.day], day: c.day, changes: [] }; marks.push(byDay[c.day]); }
      byDay[c.day].changes.push(c);
    });
    return marks;
  }
  function markLabel(m) { return m.changes.map(function (c) { return c.n; }).join(","); }
  function markText(c) { return c.n + ". " + fmt.time(c.at) + " — " + c.kind_label + ": " + c.description; }
  // drawMarks draws each day's changes as a dashed line across the plot
  // with its numbers in a flag above it: told apart by shape and label,
  // not colour.
  function drawMarks(svg, marks, x, top, bottom) {
    marks.forEach(function (m) {
      var g = el("g", { "class": "change-mark", "data-day": m.day }, svg);
      el("title", {}, g).textContent = m.changes.map(markText).join("\n");
      el("line", { x1: x(m.i), x2: x(m.i), y1: top - 6, y2: bottom, "class": "change-line" }, g);
      var label = markLabel(m), w = Math.max(18, 8 * label.length + 8);
      el("rect", { x: x(m.i) - w / 2, y: top - 30, width: w, height: 22, rx: 4, "class": "change-flag" }, g);
      el("text", { x: x(m.i), y: top - 14, "text-anchor": "middle", "font-size": 12, "class": "change-label" }, g).textContent = label;
    });
  }
  // changeList writes the marked changes under the chart, by number.
  function changeList(box, marks) {
    if (changes === null) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = "The store's changes could not be loaded, so the chart does not mark them.";
      box.appendChild(p);
      return;
    }
    if (!marks.length) { return; }
    var ol = document.createElement("ol");
    ol.className = "change-list";
    ol.setAttribute("aria-label", "Store changes marked on the chart");
    marks.forEach(function (m) {
      m.changes.forEach(function (c) {
        var li = document.createElement("li");
        li.value = c.n;
        li.textContent = markText(c).replace(/^\d+\. /, "");
        ol.appendChild(li);
      });
    });
    box.appendChild(ol);
  }
  // trendTable writes the trend's numbers, the chart's text alternative.
  function trendTable(days, marks) {
    var onDay = {};
    marks.forEach(function (m) { onDay[m.day] = m.changes.map(function (c) { return c.n + ". " + c.description; }).join("; "); });
    var body = $("trend-table").querySelector("s-table-body");
    body.textContent = "";
    var heads = Array.prototype.map.call($("trend-table").querySelectorAll("s-table-header"), function (h) { return h.textContent; });
    days.forEach(function (d) {
      var row = document.createElement("s-table-row");
      var s = d.sessions;
      [fmt.day(d.date), String(s[0])].concat(SERIES.map(function (x) { return percent(s[x.n], s[x.d]); })).forEach(function (text, i) {
        shell.cell(row, text, i > 0 ? "num" : "", heads[i]);
      });
      shell.cell(row, onDay[d.date] || "—", "", heads[SERIES.length + 2]);
      if (onDay[d.date]) { row.setAttribute("data-changes", "true"); }
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

  // ---- controls ----
  lists.rangeControl(state, function () { change("report"); }, status);
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
  $("refresh").addEventListener("click", loadAll);
  // Back and forward: the address says the state; show it.
  window.addEventListener("popstate", function () {
    lists.readURL(state);
    showState();
    loadAll();
  });

  // The first report view came with the page, for the address's range and
  // segment; fetch only the rest.
  lists.readURL(state);
  var first = document.querySelector("#report-view .report");
  if (first && first.getAttribute("data-from")) { state.from = first.getAttribute("data-from"); state.to = first.getAttribute("data-to"); }
  showState();
  document.body.setAttribute("data-loading", "true");
  Promise.all([loadTrend(0), list.load()]).then(function () {
    drawnWidth = $("trend").clientWidth;
    if (loads === 0) { document.body.setAttribute("data-loading", "false"); }
    if (state.session) { $("one-shopper").scrollIntoView(); }
  });
})();
