// Live preview of a certificate design: the unsaved form is posted to the preview
// endpoint (sample data, nothing saved) and the first page it returns (PNG) is shown.
(function () {
  "use strict";
  var form = document.getElementById("design-form");
  var frame = document.getElementById("design-preview");
  var error = document.getElementById("design-preview-error");
  if (!form || !frame) return;
  var kind = "participant";
  var timer = null;
  var current = null;
  var seq = 0;

  function refresh() {
    var mine = ++seq;
    var url = form.getAttribute("data-preview-url");
    url += (url.indexOf("?") === -1 ? "?" : "&") + "kind=" + kind;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) { throw new Error(text); });
        }
        return response.blob();
      })
      .then(function (blob) {
        if (mine !== seq) return;
        if (current) URL.revokeObjectURL(current);
        current = URL.createObjectURL(blob);
        frame.src = current;
        error.textContent = "";
      })
      .catch(function (err) {
        if (mine === seq) error.textContent = err.message || "Pratinjau gagal dimuat.";
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  document.querySelectorAll("[data-preview-kind]").forEach(function (button) {
    button.addEventListener("click", function () {
      kind = button.getAttribute("data-preview-kind");
      document.querySelectorAll("[data-preview-kind]").forEach(function (b) {
        b.classList.toggle("active", b === button);
      });
      refresh();
    });
  });
  refresh();
})();
