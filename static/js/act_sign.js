// Signing an act on screen (acts/_panel.html): the signature is drawn with the mouse, a finger
// or a stylus in the box (signature_pad from npm), and sent as a PNG data URL in the form's
// hidden "signature" field. The box keeps the drawing when the window is resized or the
// phone is turned; an empty box is caught here before the form is sent (and again on the
// server, which decides).
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("[data-signature-input]");
    var error = form.querySelector("[data-signature-error]");
    if (!canvas || !input || typeof window.SignaturePad !== "function") return;
    var pad = new window.SignaturePad(canvas, {
      penColor: "#0b2a6b",
      minWidth: 0.8,
      maxWidth: 2.6,
    });

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var strokes = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(strokes);
    }
    window.addEventListener("resize", resize);
    resize();

    pad.addEventListener("beginStroke", function () {
      if (error) error.hidden = true;
    });
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        pad.clear();
        input.value = "";
      });
    }
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        if (error) error.hidden = false;
        canvas.focus();
        return;
      }
      input.value = pad.toDataURL("image/png");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sign-form]").forEach(setUp);
    // «Оспорить» on the ticket's tab links here: open the dispute form it points to.
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  });
})();
