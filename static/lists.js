// The lists of shoppers the report and the sessions page share: the page's
// state in its address (range, segment, tab, sort, page, search, one
// shopper), the date-range control, and the list itself with its tabs
// (arrow keys, Home and End), sortable headers (aria-sort), search, pager,
// CSV export and rows that open their shopper. Each rule is here once; the
// pages (home.js, sessions.js) only say what else they load.
window.funnelscopeLists = (function () {
  "use strict";
  var api = window.funnelscope;
  var fmt = window.funnelscopeFormat;
  var shell = window.funnelscopeShell;
  var $ = function (id) { return document.getElementById(id); };
  var today = document.body.getAttribute("data-today") || new Date().toISOString().slice(0, 10);
  var DEFAULT_RANGE = "30";
  // The tabs are the template's (listTabs in Go): their statuses, the
  // first the default, and each one's empty-list sentence.
  var tabs = Array.prototype.slice.call(document.querySelectorAll("#lists [role=tab]"));
  var TABS = tabs.map(function (t) { return t.getAttribute("data-status"); });
  var DEFAULT = { range: DEFAULT_RANGE, status: TABS[0], sort: "time", order: "desc" };

  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  function presets() {
    return Array.prototype.map.call($("range").options, function (o) { return o.value; }).filter(function (v) { return v !== "custom"; });
  }
  function newState() {
    return { range: DEFAULT.range, from: "", to: "", segment: "", segmentValue: "", status: DEFAULT.status,
      sort: DEFAULT.sort, order: DEFAULT.order, page: 1, perPage: 20, session: "", q: "" };
  }

  // ---- state in the address ----
  function readURL(state) {
    var q = new URLSearchParams(window.location.search);
    if (q.get("from") || q.get("to")) {
      state.range = "custom"; state.from = q.get("from") || ""; state.to = q.get("to") || "";
    } else {
      state.range = presets().indexOf(q.get("range")) >= 0 ? q.get("range") : DEFAULT.range;
      state.from = addDays(today, 1 - parseInt(state.range, 10)); state.to = today;
    }
    state.segment = q.get("segment") || "";
    state.segmentValue = state.segment ? q.get("segment_value") || "" : "";
    state.status = TABS.indexOf(q.get("tab")) >= 0 ? q.get("tab") : DEFAULT.status;
    state.sort = q.get("sort") === "value" ? "value" : DEFAULT.sort;
    state.order = q.get("order") === "asc" ? "asc" : DEFAULT.order;
    state.page = Math.max(1, parseInt(q.get("page"), 10) || 1);
    // An alert's link opens the report with session=KEY: the list shows
    // that one shopper until the merchant asks for all.
    state.session = q.get("session") || "";
    state.q = q.get("q") || "";
  }
  // writeURL puts the state in the address, leaving the admin's own
  // parameters (shop, host, embedded, locale…) as they are; push makes it
  // a new entry of the history, for the back button.
  function writeURL(state, push) {
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
  // query is the state's dates with extra parameters, as the API reads them.
  function query(state, extra) {
    var q = new URLSearchParams({ from: state.from, to: state.to });
    Object.keys(extra || {}).forEach(function (k) { if (extra[k] !== "") { q.set(k, extra[k]); } });
    return q.toString();
  }

  // ---- the date range ----
  // rangeControl binds the range select and the custom dates: changed()
  // runs when the range changes, say(text) tells what is missing.
  function rangeControl(state, changed, say) {
    $("range").addEventListener("change", function () {
      var v = $("range").value;
      $("custom-range").hidden = v !== "custom";
      if (v === "custom") { $("from").value = state.from; $("to").value = state.to; $("from").focus(); return; }
      state.range = v;
      state.from = addDays(today, 1 - parseInt(v, 10));
      state.to = today;
      changed();
    });
    $("apply-range").addEventListener("click", function () {
      if (!$("from").value || !$("to").value) { say("Pick both dates."); return; }
      state.range = "custom";
      state.from = $("from").value;
      state.to = $("to").value;
      changed();
    });
  }
  function showRange(state) {
    $("range").value = state.range;
    $("custom-range").hidden = state.range !== "custom";
    if (state.range === "custom") { $("from").value = state.from; $("to").value = state.to; }
  }

  // ---- the list ----
  // list binds the list of shoppers to state; changed() runs after the
  // merchant changed the list's part of it (tab, sort, page, search, one
  // shopper), which the page then writes to its address and reloads.
  function list(state, changed) {
    var heads = Array.prototype.map.call($("sessions").querySelectorAll("s-table-header"), function (h) { return h.textContent.trim(); });
    var cell = shell.cell;
    var oneShopper = "This shopper is not in this store's records: the link may be from another store's alert, or the shopper's data was erased on request.";
    function emptyText() {
      var t = $("tab-" + state.status);
      return (t && t.getAttribute("data-empty")) || "No shoppers in this range.";
    }
    // The list shows the chosen range's shoppers of the chosen segment
    // value, searched by e-mail, phone or product; the export takes the
    // same query without the page.
    function listQuery(paged) {
      if (state.session) { return new URLSearchParams({ session: state.session }).toString(); }
      var q = { status: state.status === "all" ? "" : state.status, sort: state.sort, order: state.order, q: state.q,
        segment: state.segmentValue ? state.segment : "", segment_value: state.segmentValue };
      if (paged !== false) { q.page = state.page; q.per_page = state.perPage; }
      return query(state, q);
    }
    // A row leads to its shopper's page, with the admin's query (shop,
    // host, embedded); api.js adds a fresh token when it is followed.
    function sessionLink(s) {
      var a = document.createElement("a");
      var keep = new URLSearchParams();
      new URLSearchParams(window.location.search).forEach(function (v, k) {
        if (k === "shop" || k === "host" || k === "embedded") { keep.set(k, v); }
      });
      a.href = "/sessions/" + encodeURIComponent(s.key) + (keep.toString() ? "?" + keep.toString() : "");
      a.setAttribute("data-keep-query", "");
      a.className = "session-link";
      return a;
    }
    function row(s) {
      var r = document.createElement("s-table-row");
      r.setAttribute("data-key", s.key);
      r.setAttribute("data-value", s.value);
      r.setAttribute("data-started", s.started_at);
      r.setAttribute("data-status", s.status);
      var when = document.createElement("time");
      when.setAttribute("datetime", s.started_at);
      when.textContent = fmt.time(s.started_at);
      var link = sessionLink(s);
      link.appendChild(when);
      cell(r, link, "", heads[0]);
      cell(r, fmt.money(s.value, s.currency), "num", heads[1]);
      var items = (s.line_items || []).map(function (li) { return li.quantity + " × " + li.title; }).join(", ");
      cell(r, items || String(s.item_count), "", heads[2]);
      cell(r, s.furthest_stage_label, "", heads[3]);
      cell(r, s.email || s.phone || "—", "", heads[4]);
      cell(r, s.country || "—", "", heads[5]);
      var badge = document.createElement("s-badge");
      badge.setAttribute("tone", s.status_tone);
      badge.textContent = s.status_label;
      cell(r, badge, "", heads[6]);
      if (s.recovery_url && /^https:\/\//.test(s.recovery_url)) {
        var a = document.createElement("s-link");
        a.setAttribute("href", s.recovery_url);
        a.setAttribute("target", "_blank");
        a.textContent = "Open checkout";
        cell(r, a, "", heads[7]);
      } else { cell(r, "—", "", heads[7]); }
      return r;
    }
    // loads counts the list's requests: an answer that a later request has
    // overtaken is dropped, so a slow answer for the old filter never
    // replaces the new one's.
    var loads = 0;
    function load() {
      var n = ++loads;
      $("list-status").textContent = "Loading…";
      return api.get("/api/sessions?" + listQuery()).then(function (r) {
        if (n !== loads) { return; }
        var body = $("sessions").querySelector("s-table-body");
        body.textContent = "";
        r.sessions.forEach(function (s) { body.appendChild(row(s)); });
        var pages = Math.max(1, Math.ceil(r.total / r.per_page));
        $("sessions").hidden = r.sessions.length === 0;
        $("pager").hidden = r.total <= r.per_page;
        $("page-info").textContent = "Page " + r.page + " of " + pages + " · " + r.total + " shoppers";
        shell.setDisabled($("prev"), r.page <= 1);
        shell.setDisabled($("next"), r.page >= pages);
        $("list-status").textContent = r.sessions.length === 0 ? (state.session ? oneShopper :
          (state.q ? "No shoppers here match “" + state.q + "”." : emptyText())) : "";
        // The header cells say how the rows they head are sorted.
        document.querySelectorAll("#sessions button.sort").forEach(function (b) {
          var key = b.getAttribute("data-sort");
          b.parentElement.setAttribute("aria-sort", key === state.sort ? (state.order === "asc" ? "ascending" : "descending") : "none");
        });
      }).catch(function (e) {
        if (n !== loads) { return; }
        $("sessions").hidden = true;
        $("pager").hidden = true;
        $("list-status").textContent = "The list could not be loaded: " + e.message;
      });
    }

    // ---- tabs: arrow keys, Home and End move between them ----
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
      changed();
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
    function showOneShopper() {
      $("one-shopper").hidden = !state.session;
      $("lists").querySelector("[role=tablist]").hidden = !!state.session;
    }
    // show sets the list's controls to the state.
    function show() {
      $("list-search").value = state.q;
      selectTab(state.status, false);
      showOneShopper();
    }

    document.querySelectorAll("#sessions button.sort").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.getAttribute("data-sort");
        state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
        state.sort = key;
        state.page = 1;
        changed();
      });
    });
    $("all-shoppers").addEventListener("click", function () {
      state.session = "";
      state.page = 1;
      showOneShopper();
      changed();
    });
    // A click anywhere on a row opens its shopper, as its link does.
    $("sessions").querySelector("s-table-body").addEventListener("click", function (ev) {
      if (ev.target.closest("a, button, s-link, s-button")) { return; }
      var r = ev.target.closest("s-table-row");
      var link = r && r.querySelector("a.session-link");
      if (link) { link.click(); }
    });
    $("list-tools").addEventListener("submit", function (ev) {
      ev.preventDefault();
      state.q = $("list-search").value.trim();
      state.page = 1;
      changed();
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
    $("prev").addEventListener("click", function () { state.page = Math.max(1, state.page - 1); changed(); });
    $("next").addEventListener("click", function () { state.page += 1; changed(); });
    return { load: load, show: show };
  }

  return { newState: newState, readURL: readURL, writeURL: writeURL, query: query,
    rangeControl: rangeControl, showRange: showRange, list: list };
})();
