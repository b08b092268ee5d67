// Servicedesk: behaviour shared by every page. No framework: Bootstrap components and htmx.
(function () {
  "use strict";

  // Field tooltips (ⓘ): shown on click, hidden by a click anywhere else (trigger "focus").
  function initPopovers(root) {
    root.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
      window.bootstrap.Popover.getOrCreateInstance(el);
      el.addEventListener("click", function () { el.focus(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPopovers(document); });
  document.addEventListener("htmx:load", function (event) { initPopovers(event.target); });
})();
