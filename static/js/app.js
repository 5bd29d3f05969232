/* ASN Belajar — progressive enhancement. The CSP allows only 'self' scripts: no inline
   handlers anywhere; behaviour hangs off data- attributes. Every page works without JS. */
(function () {
  "use strict";

  // --- Time zone: tell the server which Indonesian zone to show times in (WIB/WITA/WIT).
  var ZONE_MAP = {
    "Asia/Jakarta": "Asia/Jakarta",
    "Asia/Pontianak": "Asia/Jakarta",
    "Asia/Makassar": "Asia/Makassar",
    "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Jayapura": "Asia/Jayapura"
  };

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function detectZone() {
    var tz;
    try {
      tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    var zone = ZONE_MAP[tz];
    if (!zone || readCookie("tz") === zone) {
      return;
    }
    var secure = location.protocol === "https:" ? "; Secure" : "";
    // Zone names hold only [A-Za-z/_], all valid cookie characters: no encoding, so the
    // server reads exactly "Asia/Makassar".
    document.cookie = "tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  // --- Double-submit protection: disable submit buttons once a form is on its way.
  function guardSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
      return;
    }
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var submitter = event.submitter;
    // Deferred: the browser has serialised the form (with the clicked button's
    // name/value) before the buttons go inert.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])").forEach(function (btn) {
        btn.disabled = true;
        btn.classList.add("is-submitting");
        if (btn === submitter && btn.tagName === "BUTTON" && !btn.closest(".lang-switch")) {
          var spinner = document.createElement("span");
          spinner.className = "spinner-border me-1";
          spinner.setAttribute("aria-hidden", "true");
          btn.prepend(spinner);
        }
      });
    }, 0);
    // A download (e.g. a PDF) leaves the page in place: re-enable after a while.
    window.setTimeout(function () {
      delete form.dataset.submitting;
      form.querySelectorAll(".is-submitting").forEach(function (btn) {
        btn.disabled = false;
        btn.classList.remove("is-submitting");
        var spinner = btn.querySelector(".spinner-border");
        if (spinner) { spinner.remove(); }
      });
    }, 8000);
  }

  // --- Confirmation for destructive POSTs: <form data-confirm="...">.
  function confirmSubmit(event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }

  // --- Countdowns: <span data-countdown="ISO" data-done-text="..." data-label-days="...">.
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function renderCountdown(el) {
    var target = Date.parse(el.dataset.countdown);
    if (isNaN(target)) { return false; }
    var diff = Math.floor((target - Date.now()) / 1000);
    if (diff <= 0) {
      el.textContent = el.dataset.doneText || "";
      if (el.dataset.reloadOnDone === "1" && !el.dataset.reloaded) {
        el.dataset.reloaded = "1";
        window.setTimeout(function () { location.reload(); }, 1500);
      }
      return false;
    }
    var d = Math.floor(diff / 86400);
    var h = Math.floor((diff % 86400) / 3600);
    var m = Math.floor((diff % 3600) / 60);
    var s = diff % 60;
    var parts = [];
    if (d > 0) { parts.push(d + " " + (el.dataset.labelDays || "d")); }
    if (d > 0 || h > 0) { parts.push(h + " " + (el.dataset.labelHours || "h")); }
    parts.push(pad(m) + " " + (el.dataset.labelMinutes || "m"));
    if (d === 0) { parts.push(pad(s) + " " + (el.dataset.labelSeconds || "s")); }
    el.textContent = parts.join(" ");
    return true;
  }

  function startCountdowns() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
    if (!els.length) { return; }
    function tick() {
      els = els.filter(renderCountdown);
      if (els.length) { window.setTimeout(tick, 1000); }
    }
    tick();
  }

  // --- Show/hide a block depending on a select's value:
  //     <div data-show-when="employee_type" data-show-values="pns,pppk">.
  function bindConditional() {
    document.querySelectorAll("[data-show-when]").forEach(function (block) {
      var control = document.getElementById(block.dataset.showWhen);
      if (!control) { return; }
      var values = (block.dataset.showValues || "").split(",");
      function update() {
        var visible = values.indexOf(control.value) !== -1;
        block.hidden = !visible;
        block.querySelectorAll("input, select, textarea").forEach(function (input) {
          if (input.dataset.requiredWhenShown === "1") { input.required = visible; }
        });
      }
      control.addEventListener("change", update);
      update();
    });
  }

  // --- Instansi autocomplete: <input list="x" data-suggest-url="/instansi/search">.
  function bindSuggest() {
    document.querySelectorAll("input[data-suggest-url]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      if (!list || !window.fetch) { return; }
      var timer = null;
      var last = "";
      input.addEventListener("input", function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) { return; }
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          last = q;
          var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(q);
          fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) {
              list.textContent = "";
              (data.results || []).forEach(function (name) {
                var opt = document.createElement("option");
                opt.value = name;
                list.appendChild(opt);
              });
            })
            .catch(function () { /* suggestions are optional */ });
        }, 200);
      });
    });
  }

  // --- Codes are case-insensitive; show them upper-cased as typed.
  function bindUppercase() {
    document.querySelectorAll("input[data-uppercase]").forEach(function (input) {
      input.addEventListener("input", function () {
        var pos = input.selectionStart;
        input.value = input.value.toUpperCase();
        try { input.setSelectionRange(pos, pos); } catch (e) { /* type without selection */ }
      });
    });
  }

  // Back/forward cache restores a page with its buttons still disabled.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
    });
    document.querySelectorAll(".is-submitting").forEach(function (btn) {
      btn.disabled = false;
      btn.classList.remove("is-submitting");
      var spinner = btn.querySelector(".spinner-border");
      if (spinner) { spinner.remove(); }
    });
  });

  detectZone();
  document.addEventListener("submit", confirmSubmit, true);
  document.addEventListener("submit", guardSubmit);
  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns();
    bindConditional();
    bindSuggest();
    bindUppercase();
  });
})();

/* Selects that submit their form on change: <select data-autosubmit>; the fallback
   button (.js-hide) is only for browsers without JS. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) { select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit(); }
      });
    });
  });
})();

/* Sign-up: the time zone follows the chosen province (data-province-zones), first the
   browser's zone, until the person picks a zone themselves. */
(function () {
  "use strict";
  var MAP = { "Asia/Jakarta": "Asia/Jakarta", "Asia/Pontianak": "Asia/Jakarta",
              "Asia/Makassar": "Asia/Makassar", "Asia/Ujung_Pandang": "Asia/Makassar",
              "Asia/Jayapura": "Asia/Jayapura" };
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-province-zones]");
    var province = select && select.form && select.form.querySelector("select[name=province]");
    if (!select || !province) { return; }
    var zones = JSON.parse(select.dataset.provinceZones || "{}");
    var chosen = select.value !== "";
    function fromProvince() {
      if (chosen || !province.value) { return; }
      select.value = zones[province.value.toLowerCase()] || "Asia/Jakarta";
    }
    if (!chosen && !province.value) {
      try {
        var browser = MAP[Intl.DateTimeFormat().resolvedOptions().timeZone];
        if (browser) { select.value = browser; }
      } catch (e) { /* keep "Sesuai provinsi" */ }
    }
    fromProvince();
    select.addEventListener("change", function () { chosen = true; });
    province.addEventListener("change", fromProvince);
  });
})();

/* Console tabs scroll sideways on phones: bring the current tab into sight. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var tab = document.querySelector(".console-nav [aria-current=page]");
    var nav = tab && tab.parentNode;
    if (!nav || nav.scrollWidth <= nav.clientWidth) { return; }
    nav.scrollLeft = tab.offsetLeft - nav.offsetLeft - (nav.clientWidth - tab.offsetWidth) / 2;
  });
})();
