// «Нужны ответы быстро?»: beside the new-ticket form, ask the server for matching articles
// while the customer types the subject or the description — 400 ms after the last keystroke,
// and only when the text changed. The panel (data-kb-suggest) fetches them itself over htmx
// on the "kb-suggest" event; listening on the document keeps working after htmx re-renders
// the form (errors), and needs no eval (the page's CSP forbids it).
(function () {
  "use strict";

  var DELAY = 400;
  var timer = null;
  var last = null;

  function typed() {
    var form = document.getElementById("ticket-form");
    if (!form) return null;
    var subject = form.querySelector("[name=subject]");
    var description = form.querySelector("[name=description]");
    return (subject ? subject.value : "") + "\n" + (description ? description.value : "");
  }

  document.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name !== "subject" && name !== "description") return;
    if (!event.target.closest("#ticket-form")) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var text = typed();
      var panel = document.querySelector("[data-kb-suggest]");
      if (!panel || text === null || text === last) return;
      last = text;
      window.htmx.trigger(panel, "kb-suggest");
    }, DELAY);
  });
})();
