// sitegen serve: live reload. Added to HTML by the preview server only; never part of a built site.
// After each finished build the server sends {epoch, problems}. A new epoch means a new site was published: reload
// only if this page's file changed, swap stylesheets in place if only they changed. Problems show as an overlay.
(() => {
  "use strict";
  const boot = window.__sitegen || {};
  const page = location.pathname;
  let epoch = boot.epoch;

  const resolve = (href) => new URL(href, location.href);
  const local = (link) => resolve(link.getAttribute("href")).origin === location.origin;
  const pathOf = (link) => resolve(link.getAttribute("href")).pathname;
  const stylesheets = (doc) => Array.from(doc.querySelectorAll('link[rel~="stylesheet"][href]')).filter(local);

  async function versions(paths) {
    const query = paths.map((p) => "p=" + encodeURIComponent(p)).join("&");
    const response = await fetch("/__sitegen/versions?" + query, { cache: "no-store" });
    return response.json();
  }

  // Stylesheet versions as this page first saw them, to tell later which ones changed.
  const seen = versions(stylesheets(document).map(pathOf)).catch(() => ({}));

  async function refresh() {
    const now = await versions([page]);
    if (now[page] !== boot.page) {
      location.reload();
      return false;
    }
    await syncStylesheets();
    return true;
  }

  // The page is the same apart, perhaps, from its stylesheet links: take the links the page has now (a fingerprinted
  // name changes with the file) and swap each one whose name or content changed.
  async function syncStylesheets() {
    const response = await fetch(location.href, { cache: "no-store" });
    const fresh = stylesheets(new DOMParser().parseFromString(await response.text(), "text/html"));
    const current = stylesheets(document);
    const paths = fresh.map(pathOf);
    const [css, now] = await Promise.all([seen, versions(paths)]);
    paths.forEach((path, i) => {
      const old = current[i];
      if (old && (pathOf(old) !== path || now[path] !== css[path])) {
        css[path] = now[path];
        swap(old, path, now[path]);
      }
    });
  }

  function swap(link, path, version) {
    // The new sheet goes in next to the old one, which leaves once the new one has loaded: no unstyled flash.
    const fresh = link.cloneNode();
    const url = resolve(path);
    url.searchParams.set("sitegen", version || String(Date.now()));
    fresh.href = url.href;
    const drop = () => link.remove();
    fresh.addEventListener("load", drop);
    fresh.addEventListener("error", drop);
    link.after(fresh);
  }

  function overlay(problems) {
    let box = document.getElementById("sitegen-overlay");
    if (!problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "sitegen-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:60vh;overflow:auto;margin:0;" +
        "padding:1em 1.5em;background:#fff0f0;color:#600;border-bottom:4px solid #c00;" +
        "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;text-align:left";
      document.body.appendChild(box);
    }
    const title = document.createElement("strong");
    title.textContent = "sitegen: the build failed. This is the last good version of the site.";
    const list = document.createElement("ul");
    for (const p of problems) {
      const item = document.createElement("li");
      item.textContent = p.path + (p.line ? ":" + p.line : "") + ": " + p.message; // text, never HTML
      list.appendChild(item);
    }
    box.replaceChildren(title, list);
  }

  // Which site this page has caught up with (for tests and the curious): set once a check needs no reload.
  const caughtUp = (value) => {
    document.documentElement.dataset.sitegenEpoch = String(value);
  };

  const events = new EventSource("/__sitegen/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    overlay(state.problems);
    if (state.epoch === epoch) {
      caughtUp(epoch);
      return;
    }
    epoch = state.epoch;
    refresh()
      .then((stays) => stays && caughtUp(state.epoch))
      .catch(() => {});
  });
})();
