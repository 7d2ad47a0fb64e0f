/* Green Toolbox catalog filters. Without JavaScript the form stays hidden (CSS: only pages marked
   gt-js by the inline script in overrides/main.html show it) and every toolkit is
   listed. With it: instant filtering (any value within a filter, all filters together), counts
   per value, and the selection in the URL (?challenge=food-loss&country=NG) so it can be shared. */
(function () {
  "use strict";
  var form = document.querySelector("form.gt-facets");
  if (!form) return;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".gt-card"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var status = form.querySelector(".gt-facets-status");
  var names = boxes.map(function (b) { return b.name; }).filter(function (n, i, a) { return a.indexOf(n) === i; });

  function selected() {
    var out = {};
    boxes.forEach(function (b) { if (b.checked) (out[b.name] = out[b.name] || []).push(b.value); });
    return out;
  }
  function matches(card, sel, skip) {
    return names.every(function (name) {
      if (name === skip || !sel[name]) return true;
      var have = (card.getAttribute("data-" + name) || "").split(" ");
      return sel[name].some(function (v) { return have.indexOf(v) >= 0; });
    });
  }
  function apply(push) {
    var sel = selected();
    var shown = 0;
    cards.forEach(function (card) {
      var ok = matches(card, sel);
      card.hidden = !ok;
      if (ok) shown++;
    });
    boxes.forEach(function (b) {
      var n = cards.filter(function (card) {
        return matches(card, sel, b.name) && (card.getAttribute("data-" + b.name) || "").split(" ").indexOf(b.value) >= 0;
      }).length;
      b.parentNode.querySelector(".gt-count").textContent = "(" + n + ")";
    });
    status.textContent = form.dataset.shown.replace("%(count)s", shown).replace("%(total)s", cards.length);
    if (push) {
      var params = new URLSearchParams();
      names.forEach(function (name) { if (sel[name]) params.set(name, sel[name].join(",")); });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
  }
  var params = new URLSearchParams(window.location.search);
  boxes.forEach(function (b) { b.checked = (params.get(b.name) || "").split(",").indexOf(b.value) >= 0; });
  form.hidden = false;
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  apply(false);
})();
