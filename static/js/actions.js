// Small page actions as data attributes, so that no page needs inline script (the CSP allows
// scripts from /static/ only): <select data-autosubmit> submits its form on change,
// <button data-print> prints the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) target.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) window.print();
  });
})();
