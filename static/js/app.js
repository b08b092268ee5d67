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

  // Polls without htmx's trigger filters (they are evaluated code, which the Content-Security-
  // Policy forbids): an element with data-poll-seconds="N" and hx-trigger="poll" is sent a
  // "poll" event every N seconds while the tab is visible, and at once when it becomes visible.
  var pollers = [];

  function initPollers(root) {
    var found = root.matches && root.matches("[data-poll-seconds]") ? [root] : [];
    root.querySelectorAll("[data-poll-seconds]").forEach(function (el) { found.push(el); });
    found.forEach(function (el) {
      if (el.dataset.pollStarted) { return; }
      el.dataset.pollStarted = "1";
      var timer = window.setInterval(function () {
        if (!document.body.contains(el)) { window.clearInterval(timer); return; }
        if (document.visibilityState === "visible") { window.htmx.trigger(el, "poll"); }
      }, Number(el.dataset.pollSeconds) * 1000);
      pollers.push(el);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") { return; }
    pollers = pollers.filter(function (el) { return document.body.contains(el); });
    pollers.forEach(function (el) { window.htmx.trigger(el, "poll"); });
  });

  // A field that changed announces itself by name ("changed-company"), so that hx-trigger can
  // listen for one field without a filter expression.
  document.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name) { window.htmx.trigger(event.target, "changed-" + name); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    initPopovers(document);
    initPollers(document);
  });
  document.addEventListener("htmx:load", function (event) {
    initPopovers(event.target);
    initPollers(event.target);
  });
})();
