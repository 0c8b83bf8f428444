// Live updates (core.live): the regions marked data-live="topic …" are read again, from the
// page's own URL, when the server says one of their topics changed. The stream resumes
// where it left off (Last-Event-ID); a stream the server ended is opened again.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource || !window.fetch) { return; }
  var url = script.dataset.liveUrl;
  var pending = new Set(), timer = null, last = null, source = null, wait = 2000;
  var title = document.title;

  // the unread count in the tab's title, as the bell shows it
  function titled() {
    var count = document.querySelector("#bell .count");
    document.title = (count ? "(" + count.textContent.trim() + ") " : "") + title;
  }

  function regions(topics) {
    return Array.prototype.filter.call(document.querySelectorAll("[data-live][id]"), function (el) {
      return topics.has("*") || el.dataset.live.split(" ").some(function (t) { return topics.has(t); });
    });
  }

  function refresh() {
    timer = null;
    var topics = pending, stale = regions(pending);
    pending = new Set();
    if (!stale.length) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        stale.forEach(function (region) {
          var fresh = page.getElementById(region.id);
          if (!fresh || !region.isConnected) { return; }
          fresh = document.importNode(fresh, true);
          region.replaceWith(fresh);
          if (window.htmx) { window.htmx.process(fresh); }
        });
        titled();
        document.dispatchEvent(new CustomEvent("live:updated", { detail: { topics: Array.from(topics) } }));
      })
      .catch(function () { /* the next change, or a reload, reads it */ });
  }

  function heard(topics) {
    topics.forEach(function (t) { pending.add(t); });
    if (!timer) { timer = setTimeout(refresh, 100); }  // a burst of changes: one read
  }

  function open() {
    source = new EventSource(last ? url.replace(/since=[^&]*/, "since=" + encodeURIComponent(last)) : url);
    source.addEventListener("open", function () { wait = 2000; });
    source.addEventListener("change", function (event) {
      last = event.lastEventId || last;
      heard(JSON.parse(event.data));
    });
    source.addEventListener("error", function () {
      // the browser retries by itself unless the server answered with an error (a restart
      // behind a proxy): then open anew, from the last change heard
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(open, wait);
        wait = Math.min(wait * 2, 60000);
      }
    });
  }
  titled();
  open();
})();
