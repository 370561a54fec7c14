// The header shows the build date so that pages work without JavaScript; here it becomes the reader's today,
// formatted like the seed ("Thursday, September 11, 2025") in the site's language and time zone.
(function () {
  var el = document.querySelector("time.site-date");
  if (!el || !window.Intl) return;
  try {
    var cfg = JSON.parse(el.getAttribute("data-config") || "{}");
    var now = new Date();
    el.textContent = new Intl.DateTimeFormat(cfg.lang || "en", { dateStyle: "full", timeZone: cfg.timeZone }).format(now);
    var parts = new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
    el.setAttribute("datetime", parts);
  } catch (e) { /* keep the build date */ }
})();
