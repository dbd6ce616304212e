// The sessions page: the lists a merchant acts on (abandoned carts,
// checkout and payment drop-offs, the recovered, every session), by range,
// segment value and search, sorted and paged, every row opening its
// shopper. lists.js holds the list and the state in the address; this page
// adds the segment filter, whose values are those of the range's shoppers.
(function () {
  "use strict";
  var api = window.funnelscope;
  var lists = window.funnelscopeLists;
  var $ = function (id) { return document.getElementById(id); };
  var state = lists.newState();
  var values = 0;

  function status(text) { $("status").textContent = text; }
  // reloads counts the reloads: the page is loaded when the last one is,
  // not when an earlier one that it overtook comes back.
  var reloads = 0;
  function reload() {
    var n = ++reloads;
    document.body.setAttribute("data-loading", "true");
    return list.load().then(function () { if (n === reloads) { document.body.setAttribute("data-loading", "false"); } });
  }
  function change(what) {
    state.page = what === "list" ? state.page : 1;
    lists.writeURL(state, true);
    if (what === "range") { loadValues(); }
    reload();
  }
  var list = lists.list(state, function () { change("list"); });

  // loadValues fills the value choice with the segment's values among the
  // range's shoppers (GET /api/funnel's split), keeping the chosen one.
  function loadValues() {
    var n = ++values;
    var box = $("segment-value");
    $("segment-value-control").hidden = !state.segment;
    box.textContent = "";
    var any = document.createElement("option");
    any.value = "";
    any.textContent = "Any";
    box.appendChild(any);
    if (!state.segment) { return Promise.resolve(); }
    var add = function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      box.appendChild(o);
    };
    if (state.segmentValue) { add(state.segmentValue); box.value = state.segmentValue; }
    return api.get("/api/funnel?" + lists.query(state, { segment: state.segment })).then(function (r) {
      if (n !== values) { return; }
      (r.segments || []).forEach(function (s) { if (s.value !== state.segmentValue) { add(s.value); } });
      box.value = state.segmentValue;
    }).catch(function (e) { status("The segment's values could not be loaded: " + e.message); });
  }
  function showState() {
    lists.showRange(state);
    $("segment").value = state.segment;
    list.show();
  }

  lists.rangeControl(state, function () { change("range"); }, status);
  $("segment").addEventListener("change", function () {
    state.segment = $("segment").value;
    state.segmentValue = "";
    change("range");
  });
  $("segment-value").addEventListener("change", function () {
    state.segmentValue = $("segment-value").value;
    change("filter");
  });
  window.addEventListener("popstate", function () {
    lists.readURL(state);
    showState();
    loadValues();
    reload();
  });

  lists.readURL(state);
  showState();
  loadValues();
  reload();
})();
