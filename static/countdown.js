// Counts down to a call's closing time. Without JavaScript the server's text stays.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("time.countdown");
  if (!nodes.length) { return; }
  var lang = document.documentElement.lang || "es";
  var units = typeof Intl.RelativeTimeFormat === "function"
    ? new Intl.RelativeTimeFormat(lang, { numeric: "always" }) : null;
  function render(node) {
    var left = Date.parse(node.getAttribute("datetime")) - Date.now();
    if (left <= 0) { node.textContent = node.getAttribute("data-closed"); return false; }
    var days = Math.floor(left / 86400000), hours = Math.floor(left / 3600000) % 24,
        minutes = Math.floor(left / 60000) % 60, seconds = Math.floor(left / 1000) % 60;
    if (!units) { return true; }
    var parts = [];
    if (days) { parts.push(units.format(days, "day")); }
    parts.push(
      [hours, minutes, seconds].map(function (n) { return String(n).padStart(2, "0"); }).join(":")
    );
    node.textContent = parts.join(" · ");
    return true;
  }
  function tick() {
    var running = false;
    nodes.forEach(function (node) { running = render(node) || running; });
    if (running) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
