// Comments: "c" (outside a field) goes to the comment box; the mention picker offers the
// people who may see the record and writes "@username " into the comment.
(function () {
  "use strict";
  if (window.fenghuoComments) { return; }
  window.fenghuoComments = true;

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "c" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target) || typing(document.activeElement)) { return; }
    var box = document.querySelector("[data-comment-box]");
    if (!box) { return; }
    event.preventDefault();
    box.focus();
    box.scrollIntoView({ block: "center" });
  });

  function boxOf(picker) {
    var form = picker.closest("form");
    return form && form.querySelector("[data-comment-box]");
  }

  function load(picker) {
    if (picker.dataset.loaded) { return; }
    picker.dataset.loaded = "1";
    var list = document.getElementById(picker.getAttribute("list"));
    fetch(picker.dataset.peopleUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { people: [] }; })
      .then(function (data) {
        data.people.forEach(function (person) {
          var option = document.createElement("option");
          option.value = person.username;
          option.label = person.name ? person.name + " (" + person.username + ")" : person.username;
          list.appendChild(option);
        });
      })
      .catch(function () { delete picker.dataset.loaded; });
  }

  function insert(picker) {
    var box = boxOf(picker);
    var list = document.getElementById(picker.getAttribute("list"));
    var name = picker.value.trim().replace(/^@/, "");
    var known = Array.prototype.some.call(list.options, function (option) { return option.value === name; });
    if (!box || !name || !known) { return; }
    var at = box.selectionStart === undefined ? box.value.length : box.selectionStart;
    var before = box.value.slice(0, at);
    var mention = (before && !/\s$/.test(before) ? " " : "") + "@" + name + " ";
    box.value = before + mention + box.value.slice(at);
    picker.value = "";
    box.focus();
    box.selectionStart = box.selectionEnd = at + mention.length;
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-mention-picker]")) { load(event.target); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-mention-picker]")) { insert(event.target); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-mention-picker]")) {
      event.preventDefault();  // picks, never submits the comment half written
      insert(event.target);
    }
  });
}());
