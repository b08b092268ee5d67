// Ticket page: files dropped on (or chosen in) the attachments zone are sent at once via htmx.
// A zone marked data-dropzone="hold" (the chat's composer) keeps them instead, listed by name,
// until the form is sent. Delegated listeners: the zones are replaced after every upload.
(function () {
  "use strict";

  function zoneForm(target) {
    return target instanceof Element ? target.closest("form[data-dropzone]") : null;
  }

  function held(form) {
    return form.getAttribute("data-dropzone") === "hold";
  }

  // The chosen files' names beside the zone (text only: names are never parsed as HTML).
  function listChosen(form) {
    var list = form.querySelector(".dropzone-files");
    var input = form.querySelector('input[type="file"]');
    if (!list || !input) { return; }
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.className = "list-inline-item";
      var icon = document.createElement("i");
      icon.className = "bi bi-paperclip";
      icon.setAttribute("aria-hidden", "true");
      item.appendChild(icon);
      item.appendChild(document.createTextNode(" " + file.name));
      list.appendChild(item);
    });
  }

  // Dropped files join those already chosen (a DataTransfer is the only way to set them).
  function addFiles(input, files) {
    if (typeof DataTransfer === "undefined") { input.files = files; return; }
    var all = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { all.items.add(file); });
    Array.prototype.forEach.call(files, function (file) { all.items.add(file); });
    input.files = all.files;
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
    var input = form.querySelector('input[type="file"]');
    if (held(form)) {
      addFiles(input, event.dataTransfer.files);
      listChosen(form);
      return;
    }
    input.files = event.dataTransfer.files;
    send(form);
  });
  document.addEventListener("change", function (event) {
    var form = zoneForm(event.target);
    if (!form || !event.target.matches('input[type="file"]')) { return; }
    if (held(form)) {
      listChosen(form);
    } else if (event.target.files.length) {
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

  // Files chosen before this script ran (a slow page, or a browser restoring the form on
  // "back") raised their change event with nobody listening: list them now.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-dropzone="hold"]'), listChosen);
})();
