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

// The copyright year, like the date, is the page's own until the reader's year is known.
(function () {
  var el = document.querySelector(".site-year");
  if (el) el.textContent = String(new Date().getFullYear());
})();

// Latest news, Most Popular and topics are embedded as they stood when the page was published (readers without
// JavaScript and crawlers see those), and published as they are now under /fragments/: swap in the current ones.
// The latest-news list leaves the article being read out and shows `data-count` items (the fragment has a spare).
(function () {
  var article = document.body.getAttribute("data-article");

  function fitLatest(root) {
    var list = root.querySelector(".latest-list");
    if (!list) return;
    var count = parseInt(list.getAttribute("data-count") || "0", 10);
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var shown = 0;
    items.forEach(function (li) {
      if (article && li.getAttribute("data-url") === article) { li.remove(); return; }
      shown += 1;
      if (shown > count) li.remove(); else li.hidden = false;
    });
    root.hidden = shown === 0;
  }

  var latest = document.getElementById("latest-news");
  if (latest && !latest.hasAttribute("data-fragment")) fitLatest(latest); // included by the server (SSI, ESI)
  if (!window.fetch || !window.DOMParser) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-fragment]"), function (el) {
    fetch(el.getAttribute("data-fragment"), { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(el.id);
        if (!fresh) return;
        fresh = document.importNode(fresh, true);
        if (fresh.id === "latest-news") fitLatest(fresh);
        el.replaceWith(fresh);
      })
      .catch(function () { /* keep the embedded block */ });
  });
})();
