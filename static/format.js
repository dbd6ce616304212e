// How the pages write money, days and times: money in its currency and
// the merchant's locale (Intl.NumberFormat), days and times in the shop's
// time zone (Intl.DateTimeFormat), each in one format. The server sends
// amounts as decimal strings with their currency, days as YYYY-MM-DD and
// times as RFC 3339; e-mails and chat messages keep the server's own rule
// (funnel.DisplayMoney).
window.funnelscopeFormat = (function () {
  "use strict";
  var body = document.body;
  // The admin user's locale: App Bridge's, else the one the admin puts in
  // the page's address, else the browser's.
  function pickLocale() {
    var tries = [];
    if (window.shopify && window.shopify.config && window.shopify.config.locale) { tries.push(window.shopify.config.locale); }
    var q = new URLSearchParams(window.location.search).get("locale");
    if (q) { tries.push(q); }
    tries.push(navigator.language || "en-US");
    for (var i = 0; i < tries.length; i++) {
      try { if (Intl.NumberFormat.supportedLocalesOf([tries[i]]).length) { return tries[i]; } } catch (e) { /* not a locale */ }
    }
    return "en-US";
  }
  var locale = pickLocale();
  var shopCurrency = body.getAttribute("data-currency") || "";
  // The shop's zone; a browser that does not know it writes UTC, and says so.
  var zone = body.getAttribute("data-timezone") || "UTC";
  var zoneNote = "";
  try { new Intl.DateTimeFormat(locale, { timeZone: zone }); } catch (e) { zone = "UTC"; zoneNote = " UTC"; }

  var moneyFormats = {};
  function moneyFormat(currency, whole) {
    var key = currency + (whole ? "/0" : "");
    if (!moneyFormats[key]) {
      var opts = currency ? { style: "currency", currency: currency } : { minimumFractionDigits: 2 };
      if (whole) { opts.minimumFractionDigits = 0; opts.maximumFractionDigits = 0; }
      try { moneyFormats[key] = new Intl.NumberFormat(locale, opts); } catch (e) {
        moneyFormats[key] = new Intl.NumberFormat(locale, { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2 });
      }
    }
    return moneyFormats[key];
  }
  // money writes a decimal amount in currency (the shop's when it names
  // none); an estimate, already rounded by the server, without cents when
  // it has none.
  function money(amount, currency, estimate) {
    var n = Number(amount);
    if (amount === "" || amount === null || amount === undefined || !isFinite(n)) { return String(amount || ""); }
    currency = currency || shopCurrency;
    var text = moneyFormat(currency, estimate && Math.round(n) === n).format(n);
    return currency && moneyFormat(currency, false).resolvedOptions().style !== "currency" ? text + " " + currency : text;
  }
  var dayFormat = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  var shortDayFormat = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  var timeFormat = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: zone });
  function utcDay(iso) {
    var p = String(iso).split("-");
    return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2]));
  }
  // day writes a calendar date (YYYY-MM-DD), "Nov 24, 2026"; short leaves the year out.
  function day(iso, short) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) { return iso; }
    return (short ? shortDayFormat : dayFormat).format(utcDay(iso));
  }
  // time writes an instant in the shop's zone, "Nov 23, 2026, 08:30 PM".
  function time(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso || ""); }
    return timeFormat.format(d) + zoneNote;
  }
  // apply rewrites the server's text in root: amounts ([data-money]),
  // days (time[datetime] of a date) and times (time[datetime] of an instant).
  function apply(root) {
    (root || document).querySelectorAll("[data-money]").forEach(function (el) {
      el.textContent = money(el.getAttribute("data-money"), el.getAttribute("data-currency"), el.hasAttribute("data-estimate"));
    });
    (root || document).querySelectorAll("time[datetime]").forEach(function (el) {
      var v = el.getAttribute("datetime");
      el.textContent = v.length === 10 ? day(v) : time(v);
    });
  }
  apply(document);
  return { locale: locale, zone: zone, money: money, day: day, time: time, apply: apply };
})();
