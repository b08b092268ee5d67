/* The web form's settings page (back office): «Copy» beside each snippet. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value);
    } else {
      document.execCommand("copy");
    }
    button.classList.add("btn-success");
    window.setTimeout(function () {
      button.classList.remove("btn-success");
    }, 1200);
  });
})();
