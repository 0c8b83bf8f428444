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
  var bell = document.getElementById("bell");
  var latest = bell && bell.dataset.latest, dueTimer = null;
  var optIn = "fenghuo.desktop-notifications." + (script.dataset.user || "");

  // the unread count in the tab's title, as the bell shows it
  function titled() {
    var count = document.querySelector("#bell .count");
    document.title = (count ? "(" + count.textContent.trim() + ") " : "") + title;
  }

  // Browser notifications, for a person who turned them on in this browser (the channels page)
  function desktop(heading, body, url, tag) {
    if (!window.Notification || Notification.permission !== "granted") { return; }
    if (window.localStorage.getItem(optIn) !== "on") { return; }
    var shown = new Notification(heading, { body: body || "", tag: tag });  // a tag: once per tab set
    shown.onclick = function () { window.focus(); window.location.href = url; };
  }

  // what the bell says now: a message that just arrived, the next due time of mine
  function bellSays() {
    bell = document.getElementById("bell");
    if (!bell) { return; }
    if (bell.dataset.latest && Number(bell.dataset.latest) > Number(latest || 0)) {  // a newer one
      desktop(bell.dataset.latestSubject, "", bell.dataset.latestUrl, "n" + bell.dataset.latest);
    }
    latest = bell.dataset.latest;
    clearTimeout(dueTimer);
    if (bell.dataset.nextDue) {
      var due = bell.dataset, wait = Date.parse(due.nextDue) - 10 * 60 * 1000 - Date.now();
      if (wait > -10 * 60 * 1000) {
        dueTimer = setTimeout(function () {
          desktop(due.nextDueLabel, due.nextDueName, due.nextDueUrl, "due" + due.nextDue);
        }, Math.max(wait, 0));
      }
    }
  }

  // the switch on the channels page: asks the browser's permission, remembered per person
  var toggle = document.querySelector("[data-desktop-notifications]");
  function toggleSays() {
    var on = window.localStorage.getItem(optIn) === "on" && Notification.permission === "granted";
    toggle.textContent = on ? toggle.dataset.offLabel : toggle.dataset.onLabel;
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
  }
  if (toggle && window.Notification) {
    toggle.hidden = false;
    toggleSays();
    toggle.addEventListener("click", function () {
      if (window.localStorage.getItem(optIn) === "on") {
        window.localStorage.removeItem(optIn);
        toggleSays();
        return;
      }
      Notification.requestPermission().then(function (permission) {
        if (permission === "granted") { window.localStorage.setItem(optIn, "on"); }
        toggleSays();
      });
    });
  }

  function regions(topics) {
    return Array.prototype.filter.call(document.querySelectorAll("[data-live][id]"), function (el) {
      return topics.has("*") || el.dataset.live.split(" ").some(function (t) { return topics.has(t); });
    });
  }

  // one read at a time, so that an older answer never lands after a newer one
  var reading = false;
  function refresh() {
    timer = null;
    if (reading) { return; }  // read again when this one is done
    var topics = pending, stale = regions(pending);
    pending = new Set();
    if (!stale.length) { return; }
    reading = true;
    lastRead = Date.now();
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
        bellSays();
        document.dispatchEvent(new CustomEvent("live:updated", { detail: { topics: Array.from(topics) } }));
      })
      .catch(function () { /* the next change, or a reload, reads it */ })
      .then(function () {
        reading = false;
        if (pending.size && !timer) { timer = setTimeout(refresh, 0); }
      });
  }

  // A burst of changes is one read; a region that changes often in a storm (a list, the
  // dashboard) says how seldom it wants to be read (data-live-every, milliseconds).
  var lastRead = 0;
  function heard(topics) {
    topics.forEach(function (t) { pending.add(t); });
    if (timer) { return; }
    var every = regions(pending).reduce(function (most, region) {
      return Math.max(most, Number(region.dataset.liveEvery || 0));
    }, 0);
    timer = setTimeout(refresh, Math.max(100, lastRead + every - Date.now()));
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
  bellSays();
  open();
})();
