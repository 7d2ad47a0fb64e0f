/* Green Toolbox search: Material's search box, Pagefind's per-language index.
   Nothing is downloaded until the reader opens the search box; Pagefind then loads only the
   index of the page's own language (<html lang>) and the chunks the query needs. Words found on
   nine pages in ten or more that fill an index chunk alone (gt-common.<lang>.json, written with
   the index; none on a small site) are left out of a query that has other words: they weigh next
   to nothing in the ranking and their chunks are the heaviest (Swahili "ya", 390 KB at 1,000
   toolkits). */
(function () {
  "use strict";
  var box = document.querySelector("[data-gt-search]");
  var toggle = document.getElementById("__search");
  if (!box || !toggle) return;
  var input = box.querySelector(".md-search__input");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var pagefind = null, loading = null, timer = null, serial = 0, common = Object.create(null);

  function load() {
    if (!loading) {
      meta.textContent = box.dataset.initializer;
      var script = new URL(box.dataset.pagefind, document.baseURI);
      var lang = (document.documentElement.lang || "").toLowerCase();
      var words = fetch(new URL("gt-common." + lang + ".json", script).href).then(function (r) {
        return r.ok ? r.json() : [];
      }).then(function (list) {
        (Array.isArray(list) ? list : []).forEach(function (w) { common[w] = true; });
      }).catch(function () {});
      loading = Promise.all([import(script.href), words]).then(function (loaded) {
        pagefind = loaded[0];
        return pagefind.options({ excerptLength: 24 }).then(function () { return pagefind; });
      });
    }
    return loading;
  }

  function key(word) {
    // as Pagefind stores words: lower case, without punctuation and without diacritics
    return word.toLowerCase().normalize("NFD").replace(/[\p{M}\p{P}]/gu, "");
  }

  function essential(query) {
    var words = query.split(/\s+/);
    var kept = words.filter(function (w) { return !common[key(w)]; });
    return kept.length ? kept.join(" ") : query;
  }

  function open() {
    toggle.checked = true;
    load();
    setTimeout(function () { input.focus(); }, 0);
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  function count(n) {
    if (n === 0) return box.dataset.none;
    if (n === 1) return box.dataset.one;
    return box.dataset.other.replace("#", String(n));
  }

  function excerpt(html) {
    // Pagefind escapes page text and marks hits with <mark>; keep nothing else.
    var safe = document.createElement("p");
    String(html).split(/(<mark>|<\/mark>)/).reduce(function (parent, part) {
      if (part === "<mark>") { var m = document.createElement("mark"); parent.appendChild(m); return m; }
      if (part === "</mark>") { return parent.parentNode || safe; }
      var text = document.createElement("textarea");
      text.innerHTML = part.replace(/<[^>]*>/g, "");
      parent.appendChild(document.createTextNode(text.value));
      return parent;
    }, safe);
    return safe;
  }

  function render(results, n) {
    list.textContent = "";
    meta.textContent = count(n);
    results.forEach(function (data) {
      var li = document.createElement("li");
      li.className = "md-search-result__item";
      var a = document.createElement("a");
      a.className = "md-search-result__link";
      a.href = data.url;
      var article = document.createElement("article");
      article.className = "md-search-result__article md-typeset";
      var h = document.createElement("h1");
      h.textContent = (data.meta && data.meta.title) || data.url;
      article.appendChild(h);
      article.appendChild(excerpt(data.excerpt));
      a.appendChild(article);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function search() {
    var query = input.value.trim();
    var mine = ++serial;
    if (!query) { list.textContent = ""; meta.textContent = box.dataset.placeholder; return; }
    load().then(function (pf) { return pf.search(essential(query)); }).then(function (res) {
      if (mine !== serial) return null;
      if (!res) { render([], 0); box.dataset.doneQuery = query; return null; }
      // The first result's fragment is fetched alone and shown at once (what a reader on a slow
      // link waits for); the next ones follow together. The query is done when all are in.
      var top = res.results.slice(0, 8), data = [];
      if (!top.length) { render([], 0); box.dataset.doneQuery = query; return null; }
      return top[0].data().then(function (first) {
        if (mine !== serial) return null;
        data[0] = first;
        render(data, res.results.length);
        return Promise.all(top.slice(1).map(function (r) { return r.data(); }));
      }).then(function (rest) {
        if (mine !== serial || !rest) return;
        render(data.concat(rest), res.results.length);
        box.dataset.doneQuery = query;
      });
    }).catch(function () { meta.textContent = box.dataset.none; box.dataset.doneQuery = query; });
  }

  input.addEventListener("focus", function () { toggle.checked = true; load(); });
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });
  box.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    var first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
  box.querySelector("button[type=reset]").addEventListener("click", function () {
    setTimeout(search, 0); input.focus();
  });
  toggle.addEventListener("change", function () { if (toggle.checked) open(); });
  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (toggle.checked && e.key === "Escape") { e.preventDefault(); close(); return; }
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "/" || e.key === "s" || e.key === "f")) {
      e.preventDefault(); open();
    }
  });
})();
