// Hotline console keys: Alt+1…5 links (or unlinks) a suggested incident, Ctrl+Enter saves.
// A call linked to an incident (or raising a suspected one) goes to its owning department:
// the department is not asked for then.
(function () {
  "use strict";
  var form = document.getElementById("console-form");
  if (!form) return;
  var hidden = form.querySelector("input[name=incident]");
  var raise = form.querySelector("input[name=raise_incident]");
  var department = form.querySelector("select[name=department]");
  var note = document.getElementById("linked-note");
  var number = document.getElementById("linked-number");
  var owner = document.getElementById("linked-owner");
  var ownerNote = document.getElementById("linked-owner-note");
  function show() {
    var linked = hidden.value;
    document.querySelectorAll("#similar li[data-incident]").forEach(function (li) {
      li.classList.toggle("linked", li.dataset.incident === linked);
    });
    note.hidden = !linked;
    ownerNote.hidden = !linked || !owner.textContent;
    if (raise) {
      if (linked) raise.checked = false;
      raise.disabled = Boolean(linked);
    }
    if (department) {
      var taken = Boolean(linked) || Boolean(raise && raise.checked);
      department.disabled = taken; // not sent: the service takes the incident's owner
      department.closest(".field").hidden = taken;
    }
  }
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.altKey && /^Digit[1-5]$/.test(event.code)) {
      var item = document.querySelectorAll("#similar li[data-incident]")[Number(event.code.slice(5)) - 1];
      if (!item) return;
      event.preventDefault();
      hidden.value = hidden.value === item.dataset.incident ? "" : item.dataset.incident;
      number.textContent = item.dataset.number;
      owner.textContent = item.dataset.owner || "";
      show();
    }
  });
  if (raise) raise.addEventListener("change", show);
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    // a field checked as it was left: marked while it has errors
    if (target && target.classList.contains("field-errors")) {
      target.closest(".field").classList.toggle("has-error", target.childElementCount > 0);
    }
    show();
  });
  show();
})();
