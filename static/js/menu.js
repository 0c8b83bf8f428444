// The top menu folds behind its button on a phone (static/css/fenghuo.css, max-width 760px):
// the button opens and closes it, Escape closes it and gives the focus back to the button.
(function () {
  "use strict";
  var toggle = document.querySelector("[data-menutoggle]");
  if (!toggle) return;
  var bar = toggle.closest(".topbar");
  function set(open) {
    bar.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.addEventListener("click", function () {
    set(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && bar.classList.contains("menu-open")) {
      set(false);
      toggle.focus();
    }
  });
})();
