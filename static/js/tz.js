/* The visitor's Indonesian zone (WIB/WITA/WIT) from the first page view: the browser's
   zone goes into the "tz" cookie the server reads. When the server drew this page in
   another zone for an anonymous visitor (no cookie yet), the page is drawn again once,
   so a visitor in Bali or Papua never sees WIB times. Without JS the server shows WIB. */
(function () {
  "use strict";
  var MAP = {
    "Asia/Jakarta": "Asia/Jakarta", "Asia/Pontianak": "Asia/Jakarta",
    "Asia/Makassar": "Asia/Makassar", "Asia/Ujung_Pandang": "Asia/Makassar",
    "Asia/Jayapura": "Asia/Jayapura"
  };
  var zone;
  try {
    zone = MAP[Intl.DateTimeFormat().resolvedOptions().timeZone];
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var meta = document.querySelector("meta[name=viewer-tz]");
  var had = document.cookie.match(/(?:^|; )tz=([^;]*)/);
  if (!had || had[1] !== zone) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }
  var key = "tz-redrawn";
  if (!had && meta && meta.dataset.source === "guess" && meta.content !== zone &&
      navigator.cookieEnabled && !window.sessionStorage.getItem(key)) {
    window.sessionStorage.setItem(key, "1");
    window.location.reload();
  }
}());
