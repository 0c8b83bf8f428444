// Hotline console keys: Alt+1…5 links (or unlinks) a suggested incident, Ctrl+Enter saves.
(function () {
  "use strict";
  var form = document.getElementById("console-form");
  if (!form) return;
  var hidden = form.querySelector("input[name=incident]");
  var note = document.getElementById("linked-note");
  var number = document.getElementById("linked-number");
  function show() {
    var linked = hidden.value;
    document.querySelectorAll("#similar li[data-incident]").forEach(function (li) {
      li.classList.toggle("linked", li.dataset.incident === linked);
    });
    note.hidden = !linked;
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
      show();
    }
  });
  document.addEventListener("htmx:afterSwap", show);
})();
