// Vigil — scanning badges with a phone's camera at the check-in desk.
//
// Loaded by the desk page only (web/templates/checkin/desk.html), after
// htmx.min.js and vigil.js. Progressive enhancement: the desk works with a
// USB scanner or the keyboard without this file. Where the browser has the
// BarcodeDetector API with QR codes (Chrome on Android, Safari on recent
// iOS with the feature on) and a camera, it shows the hidden camera block;
// elsewhere the block stays hidden. No library: detection is the
// browser's own.
//
// Markup contract (inside the scan form):
//   [data-scan-camera]           the block, hidden until the browser can scan;
//                                data-stop: the button's label while the
//                                camera is on; data-error: what to say when the
//                                camera cannot be opened
//   [data-scan-camera-toggle]    the button that opens and closes the camera
//   [data-scan-camera-video]     the <video> that shows the rear camera
//   [data-scan-camera-status]    where errors are said (role=status)
//
// A QR code seen puts its text into the scan field and submits the form, as
// a scanner's Enter does; the camera stays on for the next guest, and the
// same code is not sent again for a few seconds (a badge held in front of
// the camera would otherwise be sent many times a second).
(function () {
  "use strict";

  var doc = document;
  // How often a frame is looked at, and how long the same code is ignored.
  var interval = 150;
  var repeatAfter = 4000;

  function init() {
    var block = doc.querySelector("[data-scan-camera]");
    if (!block) return;
    var form = block.closest("form");
    var field = form && form.querySelector("[name=q]");
    var toggle = block.querySelector("[data-scan-camera-toggle]");
    var video = block.querySelector("[data-scan-camera-video]");
    var status = block.querySelector("[data-scan-camera-status]");
    if (!form || !field || !toggle || !video || !status) return;
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) return;
      setUp(block, form, field, toggle, video, status);
    }).catch(function () { /* no detector after all: the block stays hidden */ });
  }

  function setUp(block, form, field, toggle, video, status) {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var startLabel = toggle.textContent;
    var stream = null;
    var timer = 0;
    var busy = false;
    var last = "";
    var lastAt = 0;

    block.hidden = false;

    function start() {
      status.textContent = "";
      navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (s) {
          stream = s;
          // As wide as the form, the height in the camera's proportions.
          // Set through the CSSOM, which the page's CSP allows (it
          // forbids style attributes in the markup).
          video.style.width = "100%";
          video.style.height = "auto";
          video.srcObject = s;
          video.hidden = false;
          // The phone's keyboard stays closed while the camera scans
          // (vigil.js keeps the focus in the field after every answer).
          field.setAttribute("inputmode", "none");
          toggle.textContent = block.getAttribute("data-stop") || startLabel;
          toggle.setAttribute("aria-pressed", "true");
          return video.play();
        })
        .then(function () { schedule(); })
        .catch(function () {
          stop();
          status.textContent = block.getAttribute("data-error") || "";
        });
    }

    function stop() {
      window.clearTimeout(timer);
      timer = 0;
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
      }
      stream = null;
      video.srcObject = null;
      video.hidden = true;
      field.removeAttribute("inputmode");
      toggle.textContent = startLabel;
      toggle.setAttribute("aria-pressed", "false");
    }

    function schedule() {
      if (stream) timer = window.setTimeout(look, interval);
    }

    function look() {
      if (!stream) return;
      if (busy || video.readyState < 2) {
        schedule();
        return;
      }
      detector.detect(video).then(function (codes) {
        var value = codes.length ? String(codes[0].rawValue || "").trim() : "";
        var now = Date.now();
        if (value && (value !== last || now - lastAt > repeatAfter)) {
          last = value;
          lastAt = now;
          send(value);
        }
        schedule();
      }).catch(function () { schedule(); });
    }

    // send submits the code through the form, so htmx (or, without it, the
    // browser) posts it exactly as a typed code.
    function send(value) {
      field.value = value;
      busy = true;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        var button = form.querySelector("button[type=submit]");
        if (button) button.click(); else form.submit();
      }
    }

    doc.addEventListener("htmx:afterRequest", function () { busy = false; });
    toggle.addEventListener("click", function () {
      if (stream) stop(); else start();
    });
    // A phone put away or a tab left frees the camera.
    doc.addEventListener("visibilitychange", function () {
      if (doc.hidden && stream) stop();
    });
    window.addEventListener("pagehide", function () { if (stream) stop(); });
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
