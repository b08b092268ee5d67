// Knowledge-base editor: an image dropped (or pasted) onto the text is uploaded at once and its
// markdown inserted where the cursor is; the live preview (htmx on the textarea) then redraws.
// Related articles and the translation are picked by searching their titles.
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
  // Article pickers (ArticlePicker): a search result clicked becomes a chip holding a hidden
  // input named after the field; a chip's × removes it. A single picker holds one chip.
  function chip(picker, id, title) {
    var span = document.createElement("span");
    span.className =
      "badge text-bg-light border d-inline-flex align-items-center gap-1 fw-normal text-wrap text-start mw-100";
    span.setAttribute("data-kb-chip", "");
    span.setAttribute("data-testid", "kb-picker-chip");
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.getAttribute("data-name");
    input.value = id;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close";
    remove.setAttribute("aria-label", picker.getAttribute("data-remove-label") || "×");
    remove.setAttribute("data-kb-chip-remove", "");
    span.append(input, document.createTextNode(title), remove);
    return span;
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var remove = target && target.closest("[data-kb-chip-remove]");
    if (remove) {
      remove.closest("[data-kb-chip]").remove();
      return;
    }
    var pick = target && target.closest("[data-kb-pick]");
    var picker = pick && pick.closest("[data-kb-picker]");
    if (!picker) { return; }
    var chosen = picker.querySelector("[data-kb-picker-chosen]");
    var id = pick.getAttribute("data-kb-pick");
    var taken = chosen.querySelector('input[value="' + CSS.escape(id) + '"]');
    if (!taken) {
      if (picker.getAttribute("data-multiple") !== "1") { chosen.textContent = ""; }
      chosen.append(chip(picker, id, pick.getAttribute("data-title")));
    }
    picker.querySelector("[data-kb-picker-results]").textContent = "";
    var search = picker.querySelector('input[type="search"]');
    search.value = "";
    search.focus();
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
