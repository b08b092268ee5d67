// Knowledge-base editor: an image dropped (or pasted) onto the text is uploaded at once and its
// markdown inserted where the cursor is; the live preview (htmx on the textarea) then redraws.
// The upload answer is JSON; nothing from it is parsed as HTML.
(function () {
  "use strict";

  function csrfToken(textarea) {
    var field = textarea.form && textarea.form.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var prefix = before && !before.endsWith("\n") ? "\n" : "";
    var chunk = prefix + text + "\n";
    textarea.value = before + chunk + after;
    var cursor = start + chunk.length;
    textarea.setSelectionRange(cursor, cursor);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function showStatus(textarea, message) {
    var status = textarea.parentElement.querySelector("[data-kb-upload-status]");
    if (!status) { return; }
    status.textContent = message || "";
    status.classList.toggle("d-none", !message);
  }

  function upload(textarea, file) {
    var url = textarea.getAttribute("data-upload-url");
    if (!url) { return; }
    var body = new FormData();
    body.append("file", file);
    showStatus(textarea, "");
    textarea.classList.add("kb-uploading");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(textarea) },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok && result.data.markdown) {
          insertAtCursor(textarea, result.data.markdown);
        } else {
          showStatus(textarea, result.data.error || textarea.getAttribute("data-upload-error"));
        }
      })
      .catch(function () { showStatus(textarea, textarea.getAttribute("data-upload-error")); })
      .finally(function () { textarea.classList.remove("kb-uploading"); });
  }

  function files(list) {
    return Array.prototype.filter.call(list || [], function (file) {
      return file.type.indexOf("image/") === 0;
    });
  }

  document.addEventListener("dragover", function (event) {
    var textarea = event.target instanceof Element && event.target.closest(".kb-editor-body");
    if (textarea && textarea.getAttribute("data-upload-url")) {
      event.preventDefault();
      textarea.classList.add("kb-dragover");
    }
  });
  document.addEventListener("dragleave", function (event) {
    var textarea = event.target instanceof Element && event.target.closest(".kb-editor-body");
    if (textarea) { textarea.classList.remove("kb-dragover"); }
  });
  document.addEventListener("drop", function (event) {
    var textarea = event.target instanceof Element && event.target.closest(".kb-editor-body");
    if (!textarea || !textarea.getAttribute("data-upload-url")) { return; }
    var images = files(event.dataTransfer && event.dataTransfer.files);
    textarea.classList.remove("kb-dragover");
    if (!images.length) { return; }
    event.preventDefault();
    images.forEach(function (file) { upload(textarea, file); });
  });
  document.addEventListener("paste", function (event) {
    var textarea = event.target instanceof Element && event.target.closest(".kb-editor-body");
    if (!textarea || !textarea.getAttribute("data-upload-url")) { return; }
    var images = files(event.clipboardData && event.clipboardData.files);
    if (!images.length) { return; }
    event.preventDefault();
    images.forEach(function (file) { upload(textarea, file); });
  });
})();
