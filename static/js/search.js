// The /search/ page: Pagefind's JS API over the index in /pagefind/, results in the theme's own teaser markup.
// The index is in shards, one Pagefind bundle each, listed in /pagefind/sitegen-search.json: a recent shard (the
// newest articles and every one changed since its archive shard was made) and archive shards, one per year or month,
// newest first (/pagefind/recent/, /pagefind/2025/, /pagefind/2024/, ...). The first is loaded, the others merged
// into it (mergeIndex), so that one search runs over all of them and returns one list. The archive's pages that the
// recent shard shows now are "masked": the listing names their ids, dropped from every search, and what they add to
// the filter counts, taken off.
// The page's form is a plain GET form, so /search/?q=word&section=News (from any search box on the site, or a
// shared link) runs that search on load; searching here keeps the address in step so results can be shared too.
const PAGE_SIZE = 10;
const MAX_TIE_GROUP = 200; // dates are loaded to order equally relevant results; beyond this, keep Pagefind's order

const form = document.getElementById("search");
const input = form.elements.q;
const sortSelect = form.elements.sort;
const filterSelects = Array.from(form.querySelectorAll("select[data-filter]"));
const filtersBox = form.querySelector(".search-filters");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");

let pagefind = null;
let shards = []; // the index's shards: the recent one, then the archive newest first
let recent = null; // the recent shard's name, if there is one
let masked = new Set(); // ids of archive pages shown from the recent shard
let uncounted = {}; // what the masked pages add to each filter's counts
let ordered = null; // the search on screen: { results, total, sorted, fill }
let shown = 0;
let generation = 0; // a newer search makes an older one's late answers void

async function start() {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") === "date" ? "date" : "";
  try {
    // Never a cached listing, not even one a server calls unchanged: a listing rewritten within the second of the
    // last answer keeps its Last-Modified, and an old one names shards (and misses masks) a publish has replaced.
    const fresh = `${form.dataset.index}sitegen-search.json?ts=${Date.now()}`;
    const listing = await (await fetch(fresh, { cache: "no-store" })).json();
    const [primary, ...others] = listing.shards;
    pagefind = await import(form.dataset.index + primary + "/pagefind.js");
    // Each shard's results carry its name as a filter: newest-first order is the shards' order (search() below).
    await pagefind.options({ excerptLength: 30, mergeFilter: { shard: primary } });
    await pagefind.init();
    await Promise.all(others.map((shard) => pagefind.mergeIndex(form.dataset.index + shard + "/", { mergeFilter: { shard } })));
    shards = listing.shards;
    recent = listing.recent || null;
    masked = new Set(listing.masked || []);
    uncounted = listing.uncounted || {};
    // Filter values are loaded only when the reader opens the filters, or when the address asks for one.
    if (filterSelects.some((select) => params.get(select.name)) || params.get("sort")) {
      filtersBox.open = true;
      await fillFilters(params);
    }
    filtersBox.addEventListener("toggle", () => { if (filtersBox.open) fillFilters(params); });
    filtersBox.hidden = false;
  } catch (e) {
    statusLine.textContent = "Search is not available yet.";  // no index: nothing published to search
    return;
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  input.addEventListener("input", debounce(search, 250));
  for (const select of [...filterSelects, sortSelect]) select.addEventListener("change", search);
  moreButton.addEventListener("click", () => showMore());
  if (input.value.trim() || activeFilters().count) search();
}

let filtersFilled = null;

function fillFilters(params) {
  filtersFilled = filtersFilled || loadFilters(params);
  return filtersFilled;
}

async function loadFilters(params) {
  const available = await pagefind.filters();
  for (const select of filterSelects) {
    const counts = { ...(available[select.dataset.filter] || {}) };
    for (const [name, n] of Object.entries(uncounted[select.dataset.filter] || {})) {
      counts[name] = (counts[name] || 0) - n;
      if (counts[name] <= 0) delete counts[name];
    }
    for (const name of Object.keys(counts).sort((a, b) => a.localeCompare(b))) {
      select.add(new Option(`${name} (${counts[name]})`, name));
    }
    const wanted = params.get(select.name);
    if (wanted && wanted in counts) select.value = wanted;
  }
}

function activeFilters() {
  const filters = {};
  let count = 0;
  for (const select of filterSelects) {
    if (select.value) { filters[select.dataset.filter] = select.value; count++; }
  }
  return { filters, count };
}

function syncAddress() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const select of [...filterSelects, sortSelect]) if (select.value) params.set(select.name, select.value);
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
}

async function search() {
  const mine = ++generation;
  syncAddress();
  const term = input.value.trim();
  const { filters, count } = activeFilters();
  if (!term && !count) { clear(""); return; }
  statusLine.textContent = "Searching…";
  // Without words every result is equally relevant: newest first is the only useful order then.
  const byDate = sortSelect.value === "date" || !term;
  const options = byDate ? { filters, sort: { date: "desc" } } : { filters };
  const found = await searchSpellings(term, options, byDate);
  if (mine !== generation) return;
  ordered = Array.isArray(found) ? { results: found, total: found.length, sorted: byDate ? found.length : 0 } : found;
  list.replaceChildren();
  shown = 0;
  await showMore(mine);
  if (mine !== generation) return;
  const n = ordered.total;
  statusLine.textContent = n === 0 ? `No articles found for “${term}”.` : `${n} ${n === 1 ? "article" : "articles"} found.`;
}

// Armenian "և" is also written "եւ" (classical spelling) and "եվ" (in capitals "ԵՎ"), and Pagefind matches letters as
// written: a query with one spelling is also run with the others, and the results merged.
function spellings(term) {
  const lower = term.toLowerCase();
  if (!/և|եւ|եվ/.test(lower)) return [term || null];
  const base = lower.replace(/եւ|եվ/g, "և");
  return [...new Set([lower, base, base.replace(/և/g, "եւ"), base.replace(/և/g, "եվ")])];
}

// The results a search shows: none of the masked archive pages. (The build makes sure no page shown has a masked
// page's id: Pagefind's ids are short hashes, unique within one index only.)
function live(results) {
  return results.filter((r) => !masked.has(r.id));
}

// A merged search orders every shard's results by score, whatever `sort` says; each shard orders its own by date, and
// the archive shards are years, newest first: newest first over the archive is one search per shard, in the shards'
// order. The recent shard's results (mostly the newest articles, but also older ones edited since) are merged into
// that list by date, as far as the page shown needs: a date is in the result's fragment, loaded to show it anyway.
async function searchByShard(term, options) {
  const searches = await Promise.all(
    shards.map((shard) => pagefind.search(term, { ...options, filters: { ...options.filters, shard } })),
  );
  const lists = searches.map((s) => live(s.results));
  const fresh = recent ? lists[shards.indexOf(recent)] : [];
  const archive = lists.filter((_, i) => shards[i] !== recent).flat();
  if (!fresh.length) return archive;
  return { results: [], total: fresh.length + archive.length, sorted: 0, fill: byDateMerge([fresh, archive]) };
}

// Lists each newest first, taken from newest first into `into` until it has `n` results.
function byDateMerge(lists) {
  const heads = lists.filter((l) => l.length).map((l) => ({ list: l, at: 0 }));
  return async (n, into) => {
    while (into.length < n && heads.length) {
      const dates = await Promise.all(heads.map((h) => dateOf(h.list[h.at])));
      const best = dates.reduce((b, date, i) => (date > dates[b] ? i : b), 0);
      const head = heads[best];
      into.push(head.list[head.at++]);
      if (head.at === head.list.length) heads.splice(best, 1);
    }
  };
}

const loaded = new WeakMap(); // result → its fragment, loaded once
function dataOf(result) {
  if (!loaded.has(result)) loaded.set(result, result.data());
  return loaded.get(result);
}

async function dateOf(result) {
  return ((await dataOf(result)).meta || {}).date || "";
}

async function searchSpellings(term, options, byDate) {
  const variants = spellings(term);
  if (variants.length === 1 && byDate) return searchByShard(variants[0], options);
  const searches = await Promise.all(variants.map((v) => pagefind.search(v, options)));
  if (searches.length === 1) return live(searches[0].results);
  const best = new Map();
  for (const result of live(searches.flatMap((s) => s.results))) {
    const seen = best.get(result.id);
    if (!seen || result.score > seen.score) best.set(result.id, result);
  }
  const merged = [...best.values()].sort((a, b) => b.score - a.score);
  if (!byDate) return merged;
  const dated = await Promise.all(merged.map(async (r) => ({ r, date: await dateOf(r) })));
  return dated.sort((a, b) => b.date.localeCompare(a.date)).map((item) => item.r);
}

function clear(text) {
  ordered = null;
  shown = 0;
  list.replaceChildren();
  moreButton.hidden = true;
  statusLine.textContent = text;
}

// Pagefind orders by relevance only; among equally relevant results the newer article comes first. Dates live in
// each result's fragment, so fragments are loaded only for groups of equal score that reach the page being shown.
async function settleOrder(upTo) {
  const results = ordered.results;
  while (ordered.sorted < Math.min(upTo, results.length)) {
    const start = ordered.sorted;
    let end = start + 1;
    while (end < results.length && results[end].score === results[start].score) end++;
    if (end - start > 1 && end - start <= MAX_TIE_GROUP) {
      const group = await Promise.all(results.slice(start, end).map(async (r) => ({ r, data: await dataOf(r) })));
      group.sort((a, b) => (b.data.meta.date || "").localeCompare(a.data.meta.date || ""));
      group.forEach((item, i) => { results[start + i] = item.r; });
    }
    ordered.sorted = end;
  }
}

// A second click on "more" while a page of results is being added waits for it rather than adds it again.
function showMore(mine = generation) {
  const current = ordered;
  if (!current) return Promise.resolve();
  current.showing = current.showing || addPage(current, mine).finally(() => { current.showing = null; });
  return current.showing;
}

async function addPage(current, mine) {
  const wanted = shown + PAGE_SIZE;
  if (current.fill) await current.fill(wanted, current.results);
  else await settleOrder(wanted);
  if (mine !== generation) return;
  const page = current.results.slice(shown, wanted);
  const items = await Promise.all(page.map(dataOf));
  if (mine !== generation) return;
  for (const data of items) list.append(resultItem(data));
  shown += page.length;
  moreButton.hidden = shown >= current.total;
}

function resultItem(data) {
  const meta = data.meta || {};
  const li = document.createElement("li");
  const article = element("article", "teaser search-result");
  if (meta.image) {
    const link = element("a", "teaser-image");
    link.href = data.url;
    link.tabIndex = -1;
    link.setAttribute("aria-hidden", "true");
    const img = element("img");
    img.src = meta.image;
    img.alt = meta.image_alt || "";
    img.loading = "lazy";
    link.append(img);
    article.append(link);
  }
  const heading = element("h2", "teaser-title");
  const link = element("a");
  link.href = data.url;
  link.textContent = meta.title || data.url;
  heading.append(link);
  const excerpt = element("p", "excerpt");
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the page text and adds only <mark> around matched words
  article.append(heading, excerpt);
  if (meta.date) {
    const byline = element("p", "byline");
    const time = element("time", "published");
    time.dateTime = meta.date;
    time.textContent = meta.published || meta.date.slice(0, 10);
    byline.append(time);
    const sections = (data.filters && data.filters.section) || [];
    // The most specific section: "News › Armenia" rather than "News".
    const section = sections.reduce((a, b) => (b.length > a.length ? b : a), "");
    if (section) byline.append(element("span", "search-section", section));
    article.append(byline);
  }
  li.append(article);
  return li;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text) el.textContent = text;
  return el;
}

function debounce(fn, ms) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

start();
