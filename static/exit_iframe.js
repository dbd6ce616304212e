// Leaves the admin iframe for the OAuth authorize page, which refuses to be framed.
(function () {
  "use strict";
  var target = document.body.getAttribute("data-redirect");
  if (target) { window.open(target, "_top"); }
})();
