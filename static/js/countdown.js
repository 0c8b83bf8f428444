// Live countdowns: <span class="countdown" data-due="ISO" data-start="ISO"> ticks every second.
// Amber when less than a fifth of the time (or 30 minutes) is left, red when overdue.
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), d = Math.floor(s / 86400);
    var text = two(Math.floor((s % 86400) / 3600)) + ":" + two(Math.floor((s % 3600) / 60)) + ":" + two(s % 60);
    return d ? d + (zh ? "天 " : "d ") + text : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due), start = Date.parse(el.dataset.start || el.dataset.due);
      var left = due - now, total = Math.max(due - start, 1);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && (left < total / 5 || left < 30 * 60 * 1000));
      el.textContent = left < 0
        ? (zh ? "已超时 " : "overdue ") + span(left)
        : (zh ? "剩余 " : "") + span(left) + (zh ? "" : " left");
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
