// Keyboard shortcuts on every page (the help dialog, "?", lists them):
//   /  the search box (#search or [data-shortcut="/"]), else the list's first filter
//   j k  the next / previous row of the list ([data-rows]); Enter opens it
//   a  acknowledge ([data-shortcut="a"]);  c  comment ([data-shortcut="c"])
//   ?  this help
// Keys typed into a field, or pressed with Ctrl, Alt or Meta, are left alone (the hotline
// console's Alt+1…5 and Ctrl+Enter keep working).
(function () {
  "use strict";
  var help = document.getElementById("shortcuts-help");
  var current = null; // the selected row's link, kept across live updates of the list

  function typing(element) {
    if (!element || element === document.body) { return false; }
    if (element.isContentEditable) { return true; }
    return /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }

  function rows() {
    var list = document.querySelector("[data-rows]");
    if (!list) { return []; }
    return Array.prototype.filter.call(list.querySelectorAll("tbody tr"), function (row) {
      return row.querySelector("a[href]");
    });
  }

  function link(row) { return row.querySelector("a[href]"); }

  function selectedIndex(all) {
    for (var i = 0; i < all.length; i++) {
      if (all[i].classList.contains("selected")) { return i; }
    }
    return -1;
  }

  function select(all, index) {
    all.forEach(function (row) {
      row.classList.remove("selected");
      row.removeAttribute("aria-selected");
    });
    var row = all[index];
    if (!row) { return; }
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    current = link(row).getAttribute("href");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return false; }
    var index = selectedIndex(all);
    index = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all, index);
    return true;
  }

  function focusSearch() {
    var box = document.getElementById("search") || document.querySelector('[data-shortcut="/"]') ||
      document.querySelector("form.filters input:not([type=hidden]), form.filters select");
    if (!box) { return false; }
    box.focus();
    if (box.select) { box.select(); }
    return true;
  }

  function press(key) {
    // the selected row's own (an inbox row's acknowledgment), else the page's first
    var selector = '[data-shortcut="' + key + '"]', all = rows(), index = selectedIndex(all);
    var target = (index >= 0 && all[index].querySelector(selector)) || document.querySelector(selector);
    if (!target || target.disabled) { return false; }
    if (typing(target)) { target.focus(); } else { target.click(); }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) { return; }
    if (help && help.open) { return; } // the dialog closes with Escape or its button
    var done = false;
    switch (event.key) {
      case "/": done = focusSearch(); break;
      case "j": done = move(1); break;
      case "k": done = move(-1); break;
      case "Enter":
        if (/^(A|BUTTON|SUMMARY)$/.test(event.target.tagName)) { return; }
        var all = rows(), index = selectedIndex(all);
        if (index >= 0) { link(all[index]).click(); done = true; }
        break;
      case "a": done = press("a"); break;
      case "c": done = press("c"); break;
      case "?":
        if (help) { help.showModal(); done = true; }
        break;
    }
    if (done) { event.preventDefault(); }
  });

  // a live update replaces the list: the same record stays selected
  document.addEventListener("live:updated", function () {
    if (!current) { return; }
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (link(all[i]).getAttribute("href") === current) { select(all, i); return; }
    }
  });

  // "select all on this page" for the checkboxes of a form (the bulk actions)
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) { return; }
    document.querySelectorAll('input[type=checkbox][form="' + all.dataset.selectAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });
})();
