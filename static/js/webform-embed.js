/* On the provider's own site, next to the web form. Two uses:
   - <script src=".../static/js/webform-embed.js" data-form=".../f/<key>/embed/" async></script>
     inserts the form's iframe where the script tag stands;
   - beside an <iframe data-servicedesk-webform> pasted by hand, it only sizes the iframe.
   Either way the iframe takes the height the form reports (webform-frame.js), from that iframe
   only (the message's source window must be the iframe's), within sane bounds. */
(function () {
  "use strict";
  var MIN = 200;
  var MAX = 10000;
  var script = document.currentScript;
  if (script && script.getAttribute("data-form")) {
    var frame = document.createElement("iframe");
    frame.src = script.getAttribute("data-form");
    frame.title = script.getAttribute("data-title") || "";
    frame.setAttribute("data-servicedesk-webform", "");
    frame.setAttribute("loading", "lazy");
    frame.style.width = "100%";
    frame.style.minHeight = "520px";
    frame.style.border = "0";
    script.parentNode.insertBefore(frame, script.nextSibling);
  }
  if (window.servicedeskWebformListening) {
    return;
  }
  window.servicedeskWebformListening = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "servicedesk-webform:height") {
      return;
    }
    var height = Math.min(Math.max(parseInt(data.height, 10) || 0, MIN), MAX);
    var frames = document.querySelectorAll("iframe[data-servicedesk-webform]");
    for (var i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.minHeight = "0";
        frames[i].style.height = height + "px";
      }
    }
  });
})();
