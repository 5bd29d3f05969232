/* ASN Belajar — organizer console scripts (CSP: no inline JS).
   1. Presenter view of a check-in code: <body class="presenter" data-opens="ISO"
      data-closes="ISO"> switches between pending, open and closed, and counts down.
   2. Series generator: the weekday of the first date, shown as it is typed. */
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
    // The code is held back until an hour before the window opens: show it then.
    if (!document.querySelector(".presenter-code") && now >= opens - 3600000) {
      window.location.reload();
      return;
    }
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

(function () {
  "use strict";

  var source = document.querySelector("[data-weekday-source]");
  var target = document.querySelector("[data-weekday-target]");
  if (!source || !target) { return; }
  // Monday first, as in timeutil.DAYS_ID.
  var days = (target.dataset.days || "").split(",");
  var template = target.dataset.template || "{day}";

  function update() {
    var parts = (source.value || "").split("-");
    if (parts.length !== 3) { target.textContent = ""; return; }
    // Date.UTC: the weekday of a calendar date, whatever the browser's own zone.
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2])).getUTCDay();
    if (isNaN(day)) { target.textContent = ""; return; }
    target.textContent = template.replace("{day}", days[(day + 6) % 7] || "");
  }

  source.addEventListener("input", update);
  source.addEventListener("change", update);
  update();
})();
