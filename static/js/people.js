// The back office's People pages: the filter form leaves empty fields out of the address, the
// person form adds another company row, and the temporary password is copied with one click.
// Each part does nothing on a page without its elements.
(function () {
  "use strict";

  // Forms marked data-drop-empty leave empty fields out of the address htmx requests and pushes.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.closest("[data-drop-empty]") || event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (key) { if (params[key] === "") delete params[key]; });
  });

  // «Add another company»: a copy of the formset's empty form, numbered after the last row.
  function initMembershipAdd() {
    var add = document.getElementById("membership-add");
    if (!add) return;
    add.addEventListener("click", function () {
      var total = document.getElementById("id_" + add.dataset.formsetPrefix + "-TOTAL_FORMS");
      var index = parseInt(total.value, 10);
      var html = document.getElementById("membership-empty").innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      document.getElementById("membership-rows").appendChild(row);
      total.value = String(index + 1);
      window.htmx.process(row);
      row.querySelector("select").focus();
    });
  }

  // The temporary password: selected, and copied where the browser allows it.
  function initCopyPassword() {
    var button = document.getElementById("copy-password");
    if (!button) return;
    button.addEventListener("click", function () {
      var code = document.getElementById("temporary-password");
      var done = function () { button.querySelector("span").textContent = button.dataset.copied; };
      var range = document.createRange();
      range.selectNodeContents(code);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(done);
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMembershipAdd();
    initCopyPassword();
  });
})();
