/* ASN Belajar — presenter view of a check-in code (loaded only there; CSP: no inline JS).
   <body class="presenter" data-opens="ISO" data-closes="ISO"> switches between pending,
   open and closed, and counts down to the next change. */
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.classList.contains("presenter")) { return; }

  var opens = Date.parse(body.dataset.opens);
  var closes = Date.parse(body.dataset.closes);
  var status = document.querySelector(".presenter-status");
  var timer = document.querySelector("[data-timer]");

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return (h > 0 ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function tick() {
    var now = Date.now();
    var state;
    var left;
    if (now < opens) {
      state = "pending";
      left = Math.ceil((opens - now) / 1000);
    } else if (now < closes) {
      state = "open";
      left = Math.ceil((closes - now) / 1000);
    } else {
      state = "closed";
      left = 0;
    }
    if (status) {
      status.dataset.state = state;
      status.classList.toggle("is-urgent", state === "open" && left <= 60);
    }
    body.dataset.state = state;
    if (timer) { timer.textContent = state === "closed" ? "" : format(left); }
    if (state !== "closed") { window.setTimeout(tick, 250); }
  }

  if (!isNaN(opens) && !isNaN(closes)) { tick(); }

  // Full screen on the button or the "f" key; the screen stays awake while sharing.
  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* refused */ });
    }
  }

  var button = document.querySelector("[data-fullscreen]");
  if (button) { button.addEventListener("click", toggleFullscreen); }
  document.addEventListener("keydown", function (event) {
    if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) {
      toggleFullscreen();
    }
  });

  function keepAwake() {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      navigator.wakeLock.request("screen").catch(function () { /* not allowed */ });
    }
  }
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);
})();
