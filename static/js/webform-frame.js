/* Inside the web form's iframe (/f/<key>/embed/): tell the host page how tall the form is, now
   and whenever it changes (errors shown, the thank-you page), so that webform-embed.js on the
   host page sizes the iframe without a scroll bar. Only a number is sent. */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = 0;
  function tell() {
    // The body's own height, not the document's: that is never less than the frame, so the
    // frame could grow (an error shown) but never shrink back (the short thank-you page).
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) {
      return;
    }
    last = height;
    window.parent.postMessage({ type: "servicedesk-webform:height", height: height }, "*");
  }
  function start() {
    tell();
    if (window.ResizeObserver) {
      new ResizeObserver(tell).observe(document.body);
    }
    window.addEventListener("load", tell);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
