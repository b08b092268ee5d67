// Ticket page: files dropped on (or chosen in) the attachments zone are sent at once via htmx.
// Delegated listeners: the zone is replaced after every upload.
(function () {
  "use strict";

  function zoneForm(target) {
    return target instanceof Element ? target.closest("form[data-dropzone]") : null;
  }

  function send(form) {
    var bar = form.querySelector(".progress");
    if (bar) { bar.classList.remove("d-none"); }
    window.htmx.trigger(form, "submit");
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var form = zoneForm(event.target);
      if (!form) { return; }
      event.preventDefault();
      form.querySelector(".dropzone").classList.add("dropzone-active");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var form = zoneForm(event.target);
    if (form) { form.querySelector(".dropzone").classList.remove("dropzone-active"); }
  });
  document.addEventListener("drop", function (event) {
    var form = zoneForm(event.target);
    if (!form || !event.dataTransfer || !event.dataTransfer.files.length) { return; }
    event.preventDefault();
    form.querySelector(".dropzone").classList.remove("dropzone-active");
    form.querySelector('input[type="file"]').files = event.dataTransfer.files;
    send(form);
  });
  document.addEventListener("change", function (event) {
    var form = zoneForm(event.target);
    if (form && event.target.matches('input[type="file"]') && event.target.files.length) {
      send(form);
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = zoneForm(event.target);
    var bar = form && form.querySelector(".progress-bar");
    if (bar && event.detail.lengthComputable) {
      bar.style.width = Math.round((event.detail.loaded / event.detail.total) * 100) + "%";
    }
  });
})();
