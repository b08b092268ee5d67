// The chat on a ticket's page: kept scrolled to the newest message, each message shown once
// (a poll and a post may both bring the same one), Ctrl+Enter sends. The polling itself is
// htmx (conversations/_chat.html); nothing here touches what is being typed.
(function () {
  "use strict";

  function list() {
    return document.getElementById("chat-messages");
  }

  function nearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function toBottom(box) {
    box.scrollTop = box.scrollHeight;
  }

  function dropRepeats(box) {
    var seen = {};
    box.querySelectorAll("[data-message-id]").forEach(function (el) {
      var id = el.getAttribute("data-message-id");
      if (seen[id]) { el.remove(); } else { seen[id] = true; }
    });
  }

  var stick = true;  // whether the reader is at the bottom (then news keep it there)

  document.addEventListener("DOMContentLoaded", function () {
    var box = list();
    if (!box) { return; }
    toBottom(box);
    box.addEventListener("scroll", function () { stick = nearBottom(box); });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = list();
    if (box && event.detail.target === box) { stick = stick || nearBottom(box); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var box = list();
    if (!box || !box.contains(event.detail.elt) && event.detail.elt !== box) { return; }
    dropRepeats(box);
    var own = event.detail.requestConfig && event.detail.requestConfig.verb === "post";
    if (stick || own) { toBottom(box); }
  });

  // The other side has read further: the reader's messages up to there show as read.
  function markRead() {
    var state = document.querySelector('#chat-state input[name="read"]');
    var box = list();
    if (!state || !box) { return; }
    var read = parseInt(state.value, 10) || 0;
    box.querySelectorAll(".chat-mine[data-message-id]").forEach(function (el) {
      var ticks = el.querySelector(".chat-ticks");
      if (ticks && parseInt(el.getAttribute("data-message-id"), 10) <= read) {
        ticks.classList.add("is-read");
      }
    });
  }
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "chat-state") { markRead(); }
  });

  // Ctrl+Enter (or Cmd+Enter) in the composer sends it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var form = event.target.closest && event.target.closest("#composer");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // The staff composer turns yellow while "internal note" is chosen.
  document.addEventListener("change", function (event) {
    if (event.target.name === "internal") {
      var form = event.target.closest("#composer");
      if (form) { form.classList.toggle("is-internal", event.target.value === "1"); }
    }
  });
})();
