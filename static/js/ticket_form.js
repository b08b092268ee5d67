// The ticket form («Создать заявку», and the back office's on-behalf form): the description's
// character counter, the search-first site/equipment picker, the expired-contract warning, the
// country following the company, the product type-ahead, and files (drag and drop anywhere on
// the form, the same size/type limits as the server, a list with remove buttons, upload
// progress). The form is sent by htmx; after errors the server re-renders it and the files
// chosen are put back into the new file input (the browser allows it through DataTransfer).
(function () {
  "use strict";

  var kept = []; // the File objects chosen, in order

  function fill(message, values) {
    return (message || "").replace(/%\((\w+)\)s/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  // A file's size as the server writes one (Django's filesizeformat): the units come from the
  // page in the reader's language ("%s KB" | "%s КБ"), the number in the page language's way
  // ("2.5" | "2,5"), a no-break space between them.
  function humanSize(bytes, zone) {
    var units = (zone.dataset.sizeUnits || "%s B|%s KB|%s MB|%s GB").split("|");
    var n = bytes, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    var number = i === 0 ? String(n) : n.toLocaleString(document.documentElement.lang || undefined, {
      minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false,
    });
    return units[i].replace("%s", number).replace(/ /g, "\u00a0");
  }

  // --- description counter -------------------------------------------------------------------
  function updateCounter(textarea) {
    var box = textarea.closest(".char-counted");
    if (!box) { return; }
    var count = box.querySelector("[data-char-count]");
    var max = parseInt(textarea.getAttribute("maxlength") || "0", 10);
    var length = textarea.value.length;
    if (count) { count.textContent = String(length); }
    var counter = box.querySelector("[data-char-counter]");
    if (counter && max) {
      counter.classList.toggle("text-danger", length >= max);
      counter.classList.toggle("text-warning-emphasis", length < max && length >= max * 0.9);
    }
  }

  // --- the site/equipment picker (web/ticket_form/places.py) --------------------------------
  // Radio rows, every one shown without this script. Typing in the search keeps the rows that
  // match every word typed (any case, ё as е), the sites above a match and everything inside a
  // matching site; "Not specified" always stays. The chosen place is named above the list, so
  // it stays in sight (and can be cleared) while the list shows other rows.
  function fold(text) {
    return (text || "").toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ").trim();
  }

  function placeRows(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("[data-place-row]"));
  }

  function pathPrefixes(path) { // "3/7/9/" → ["3/", "3/7/", "3/7/9/"]
    var parts = (path || "").split("/").filter(Boolean);
    return parts.map(function (part, i) { return parts.slice(0, i + 1).join("/") + "/"; });
  }

  function sitesByPath(rows) {
    var sites = {};
    rows.forEach(function (row) {
      if (row.dataset.kind === "site") { sites[row.dataset.path] = row; }
    });
    return sites;
  }

  // The rows a search keeps, and those that match it themselves, in the list's order.
  function searchPlaces(rows, query) {
    var words = fold(query).split(" ").filter(Boolean);
    if (!words.length) { return { shown: new Set(rows), matches: [] }; }
    var matches = rows.filter(function (row) {
      var text = fold(row.textContent);
      return row.dataset.kind && words.every(function (word) { return text.indexOf(word) !== -1; });
    });
    var sites = sitesByPath(rows);
    var matchedSites = new Set();
    var shown = new Set(matches);
    matches.forEach(function (row) {
      if (row.dataset.kind === "site") { matchedSites.add(row.dataset.path); }
      pathPrefixes(row.dataset.path).forEach(function (prefix) {
        if (sites[prefix]) { shown.add(sites[prefix]); }
      });
    });
    rows.forEach(function (row) {
      var inside = pathPrefixes(row.dataset.path).some(function (p) { return matchedSites.has(p); });
      if (!row.dataset.kind || inside) { shown.add(row); }
    });
    return { shown: shown, matches: matches };
  }

  function filterPlaces(input) {
    var picker = input.closest("[data-place-picker]");
    if (!picker) { return; }
    var rows = placeRows(picker);
    var found = searchPlaces(rows, input.value);
    rows.forEach(function (row) { row.hidden = !found.shown.has(row); });
    var list = picker.querySelector("[role=radiogroup]");
    if (list) { list.scrollTop = 0; }
    var searching = fold(input.value) !== "";
    var empty = picker.querySelector("[data-place-empty]");
    if (empty) { empty.hidden = !searching || found.matches.length > 0; }
    var status = picker.querySelector("[data-place-status]");
    if (status) {
      status.textContent = searching ? fill(status.dataset.msgFound, { count: found.matches.length }) : "";
    }
  }

  function checkedPlace(picker) {
    var radio = picker.querySelector("[data-place-row] input:checked");
    return radio ? radio.closest("[data-place-row]") : null;
  }

  // The chosen place above the list: its name, and beneath it the sites it is in and its
  // own details (address, or model and serial number).
  function showChosen(picker) {
    var box = picker.querySelector("[data-place-chosen]");
    if (!box) { return; }
    var row = checkedPlace(picker);
    if (!row || !row.dataset.kind) { box.hidden = true; return; }
    var sites = sitesByPath(placeRows(picker));
    var above = pathPrefixes(row.dataset.path)
      .filter(function (prefix) { return row.dataset.kind !== "site" || prefix !== row.dataset.path; })
      .map(function (prefix) { return sites[prefix] && sites[prefix].querySelector(".place-name").textContent; })
      .filter(Boolean);
    var own = row.querySelector(".place-detail");
    var detail = box.querySelector("[data-place-chosen-detail]");
    box.querySelector("[data-place-chosen-name]").textContent = row.querySelector(".place-name").textContent;
    box.querySelector("[data-place-chosen-path]").textContent = above.join(" › ");
    detail.textContent = "";
    if (own) {
      Array.prototype.forEach.call(own.childNodes, function (node) { detail.appendChild(node.cloneNode(true)); });
    }
    box.hidden = false;
  }

  function scrollToChosen(picker) {
    var list = picker.querySelector("[role=radiogroup]");
    var row = checkedPlace(picker);
    if (list && row && !row.hidden && row.offsetTop + row.offsetHeight > list.clientHeight) {
      list.scrollTop = Math.max(0, row.offsetTop - list.clientHeight / 3);
    }
  }

  function choosePlace(radio) {
    radio.checked = true;
    // The change event tells app.js, which asks htmx for the contracts of the place.
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The search's keys: Enter chooses the first match, the down arrow moves into the list (to
  // the chosen place if it is shown, else the first match), Escape clears the search.
  function placeSearchKey(input, event) {
    var picker = input.closest("[data-place-picker]");
    var rows = placeRows(picker);
    var visible = rows.filter(function (row) { return !row.hidden; });
    var matches = searchPlaces(rows, input.value).matches;
    if (event.key === "Enter") {
      event.preventDefault(); // never sends the form
      if (matches.length) {
        var radio = matches[0].querySelector("input");
        choosePlace(radio);
        radio.focus();
      }
    } else if (event.key === "ArrowDown") {
      var chosen = checkedPlace(picker);
      var target = chosen && chosen.dataset.kind && !chosen.hidden ? chosen : matches[0] || visible[0];
      if (target) { event.preventDefault(); target.querySelector("input").focus(); }
    } else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      filterPlaces(input);
    }
  }

  function initPlaces(root) {
    var pickers = root.matches && root.matches("[data-place-picker]")
      ? [root] : Array.prototype.slice.call(root.querySelectorAll("[data-place-picker]"));
    pickers.forEach(function (picker) {
      var search = picker.querySelector("[data-place-search-box]");
      if (search) { search.hidden = false; }
      showChosen(picker);
      scrollToChosen(picker);
    });
  }

  // --- contract warning, country ---------------------------------------------------------------
  function updateContractWarning(root) {
    root.querySelectorAll("select[name=contract]").forEach(function (select) {
      var box = select.closest("#ticket-contract");
      var warning = box && box.querySelector("[data-contract-expired]");
      var option = select.options[select.selectedIndex];
      if (warning) { warning.hidden = !(option && option.dataset.expired); }
    });
  }

  function followCompany(select) {
    var form = select.closest("form");
    var country = form && form.querySelector("select[name=country]");
    var option = select.options[select.selectedIndex];
    if (!country || country.dataset.touched || !option || !option.dataset.country) { return; }
    country.value = option.dataset.country;
  }

  // --- product type-ahead --------------------------------------------------------------------
  function productPicker(el) { return el.closest("[data-product-picker]"); }

  function chooseProduct(button) {
    var picker = productPicker(button);
    picker.querySelector("input[name=product]").value = button.dataset.productId;
    var query = picker.querySelector("[data-product-query]");
    query.value = button.dataset.productName;
    query.dataset.chosen = button.dataset.productName;
    query.setAttribute("aria-expanded", "false");
    picker.querySelector("[data-product-results]").innerHTML = "";
  }

  function searchAllProducts(query) {
    var q = query.value.trim();
    if (q.length < 3 || !window.htmx) { return; }
    window.htmx.ajax("GET", query.getAttribute("hx-get"), {
      target: "#product-results", swap: "innerHTML", values: { q: q, all: "1" },
    });
  }

  // --- files ---------------------------------------------------------------------------------
  function dropzone(form) { return form.querySelector("[data-dropzone]"); }

  function addFiles(form, files) {
    var zone = dropzone(form);
    if (!zone) { return; }
    var max = parseInt(zone.dataset.maxBytes, 10);
    var maxFiles = parseInt(zone.dataset.maxFiles, 10);
    var allowed = (zone.dataset.extensions || "").split(",");
    var errors = [];
    Array.prototype.forEach.call(files, function (file) {
      var dot = file.name.lastIndexOf(".");
      var ext = dot > 0 ? file.name.slice(dot + 1).toLowerCase() : "";
      if (allowed.indexOf(ext) === -1) {
        errors.push(fill(zone.dataset.msgType, { name: file.name, ext: ext || "?" }));
      } else if (file.size === 0) {
        errors.push(fill(zone.dataset.msgEmpty, { name: file.name }));
      } else if (file.size > max) {
        errors.push(fill(zone.dataset.msgTooBig, { name: file.name, max: zone.dataset.maxSize }));
      } else if (kept.length >= maxFiles) {
        errors.push(fill(zone.dataset.msgTooMany, { max: maxFiles }));
      } else if (!kept.some(function (k) {
        return k.name === file.name && k.size === file.size && k.lastModified === file.lastModified;
      })) {
        kept.push(file);
      }
    });
    zone.querySelector("[data-file-errors]").innerHTML = "";
    errors.filter(function (e, i) { return errors.indexOf(e) === i; }).forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      zone.querySelector("[data-file-errors]").appendChild(line);
    });
    syncFiles(form);
  }

  function syncFiles(form) {
    var zone = dropzone(form);
    if (!zone) { return; }
    var input = zone.querySelector("input[type=file]");
    try {
      var transfer = new DataTransfer();
      kept.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    } catch (error) {
      // An old browser without a DataTransfer constructor: the input keeps its own choice.
      kept = Array.prototype.slice.call(input.files);
    }
    var list = zone.querySelector("[data-file-list]");
    list.innerHTML = "";
    kept.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "list-group-item d-flex align-items-center gap-2 py-1";
      var icon = document.createElement("i");
      icon.className = "bi bi-paperclip text-body-secondary";
      var name = document.createElement("span");
      name.className = "text-truncate flex-grow-1";
      name.textContent = file.name;
      name.title = file.name;
      var size = document.createElement("span");
      size.className = "small text-body-secondary text-nowrap";
      size.textContent = humanSize(file.size, zone);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-outline-danger py-0";
      remove.dataset.removeFile = String(index);
      remove.setAttribute("aria-label", (zone.dataset.msgRemove || "Remove") + " " + file.name);
      remove.innerHTML = '<i class="bi bi-x-lg" aria-hidden="true"></i>';
      item.append(icon, name, size, remove);
      list.appendChild(item);
    });
  }

  function showProgress(form, loaded, total) {
    var bar = form.querySelector("[data-upload-progress]");
    if (!bar || !kept.length) { return; }
    var percent = total ? Math.round((loaded / total) * 100) : 0;
    bar.hidden = false;
    var inner = bar.querySelector(".progress-bar");
    inner.style.width = percent + "%";
    inner.textContent = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
  }

  // --- wiring --------------------------------------------------------------------------------
  function keepContract(root) {
    root.querySelectorAll("select[name=contract]").forEach(function (select) {
      var form = select.closest("form");
      var wanted = form && form.dataset.contract;
      if (wanted && !select.value && select.querySelector('option[value="' + wanted + '"]')) {
        select.value = wanted;
      }
    });
  }

  function init(root) {
    if (root.querySelectorAll) { keepContract(root.parentNode || root); }
    var forms = root.matches && root.matches("[data-ticket-form]")
      ? [root] : Array.prototype.slice.call(root.querySelectorAll("[data-ticket-form]"));
    if (!forms.length && root.closest) {
      var outer = root.closest("[data-ticket-form]");
      if (outer) { updateContractWarning(outer); }
      return;
    }
    forms.forEach(function (form) {
      form.querySelectorAll("textarea[name=description]").forEach(updateCounter);
      updateContractWarning(form);
      if (kept.length) {
        syncFiles(form);
        var again = form.querySelector("[data-files-again]");
        var still = form.querySelector("[data-files-kept]");
        if (again) { again.hidden = true; again.classList.add("d-none"); }
        if (still) { still.hidden = false; }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    kept = [];
    init(document);
    initPlaces(document);
    // Files chosen before this script ran (a slow page) raised their change event unheard.
    document.querySelectorAll("[data-ticket-form] input[type=file][name=attachments]")
      .forEach(function (input) {
        if (input.files.length) {
          addFiles(input.closest("form"), Array.prototype.slice.call(input.files));
        }
      });
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
    initPlaces(event.target);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.closest("[data-ticket-form], [data-product-picker]")) {
      return;
    }
    if (target.matches("textarea[name=description]")) { updateCounter(target); }
    if (target.matches("[data-place-search]")) { filterPlaces(target); }
    if (target.matches("[data-product-query]")) {
      if (target.value !== target.dataset.chosen) {
        productPicker(target).querySelector("input[name=product]").value = "";
      }
      if (!target.value.trim()) {
        productPicker(target).querySelector("[data-product-results]").innerHTML = "";
      }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.closest("[data-ticket-form]")) { return; }
    if (target.matches("select[name=company]")) { followCompany(target); }
    if (target.matches("select[name=country]")) { target.dataset.touched = "1"; }
    if (target.matches("[data-place-row] input")) { showChosen(target.closest("[data-place-picker]")); }
    if (target.matches("select[name=contract]")) {
      // Remembered: a picker update that was already on its way must not undo this choice.
      target.closest("form").dataset.contract = target.value;
      updateContractWarning(target.closest("form"));
    }
    if (target.matches("input[type=file][name=attachments]")) {
      var chosen = Array.prototype.slice.call(target.files);
      addFiles(target.closest("form"), chosen);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    if (target.matches("[data-product-query]")) {
      if (event.key === "Enter") { event.preventDefault(); searchAllProducts(target); }
      if (event.key === "Escape") { productPicker(target).querySelector("[data-product-results]").innerHTML = ""; }
    }
    if (target.matches("[data-place-search]")) { placeSearchKey(target, event); }
    // A letter typed on a row goes on into the search.
    if (target.matches("[data-place-row] input") && event.key.length === 1 && event.key !== " " &&
        !event.ctrlKey && !event.metaKey && !event.altKey) {
      var search = target.closest("[data-place-picker]").querySelector("[data-place-search]");
      if (search && search.offsetParent !== null) { search.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var clear = target && target.closest("[data-place-clear]");
    if (clear) {
      var picker = clear.closest("[data-place-picker]");
      var none = picker.querySelector('[data-place-row] input[value=""]');
      if (none) { choosePlace(none); }
      var search = picker.querySelector("[data-place-search]");
      if (search) { search.focus(); }
      return;
    }
    var product = target && target.closest("[data-product-id]");
    if (product) { chooseProduct(product); return; }
    var remove = target && target.closest("[data-remove-file]");
    if (remove) {
      var form = remove.closest("form");
      kept.splice(parseInt(remove.dataset.removeFile, 10), 1);
      syncFiles(form);
      return;
    }
    // A click elsewhere closes the product suggestions.
    document.querySelectorAll("[data-product-results]").forEach(function (results) {
      if (!results.contains(target)) { results.innerHTML = ""; }
    });
  });

  // Drag and drop: anywhere on the form. Elsewhere on the page a dropped file must not make the
  // browser leave the page (and everything typed) to open it.
  function hasFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
  }
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) { return; }
    event.preventDefault();
    var form = event.target instanceof Element && event.target.closest("[data-ticket-form]");
    document.querySelectorAll("[data-ticket-form]").forEach(function (f) {
      f.classList.toggle("is-dragging", f === form);
    });
    event.dataTransfer.dropEffect = form ? "copy" : "none";
  });
  document.addEventListener("dragleave", function (event) {
    if (event.target === document.documentElement || !event.relatedTarget) {
      document.querySelectorAll("[data-ticket-form]").forEach(function (f) { f.classList.remove("is-dragging"); });
    }
  });
  document.addEventListener("drop", function (event) {
    if (!hasFiles(event)) { return; }
    event.preventDefault();
    document.querySelectorAll("[data-ticket-form]").forEach(function (f) { f.classList.remove("is-dragging"); });
    var form = event.target instanceof Element && event.target.closest("[data-ticket-form]");
    if (form) { addFiles(form, event.dataTransfer.files); }
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target instanceof Element && event.target.closest("[data-ticket-form]");
    if (form && event.detail && event.detail.lengthComputable) {
      showProgress(form, event.detail.loaded, event.detail.total);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element && event.target.closest("[data-ticket-form]");
    var bar = form && form.querySelector("[data-upload-progress]");
    if (bar && event.detail && !event.detail.successful) { bar.hidden = true; }
  });
})();
