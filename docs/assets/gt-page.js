/* Green Toolbox: the two behaviours of Material's JavaScript bundle that this site keeps, without
   the bundle (35 KB compressed, a third of a toolkit page's weight). Search is gt-search.js; the
   menus, drawer, tabs and language selector are Material's CSS-only forms, and the sidebars are
   sized by greentoolbox.css.

   - The back-to-top button (navigation.top) shows while the reader scrolls back up, away from
     the top of the page, and takes them there.
   - The table of contents (toc.follow) marks the section being read.

   And one of its own: a lifecycle checklist item's text ticks its box, as a label would (the
   text is a paragraph that names its box, not a <label>: Pagefind leaves labels out of the
   search index). */
(function () {
  "use strict";
  var button = document.querySelector(".md-top");
  var links = Array.prototype.slice.call(document.querySelectorAll(".md-sidebar--secondary a.md-nav__link[href^='#']"));
  var sections = links.map(function (a) { return document.getElementById(decodeURIComponent(a.hash.slice(1))); });
  var header = document.querySelector(".md-header");
  var last = window.pageYOffset, pending = false, active = null;

  function update() {
    pending = false;
    var y = window.pageYOffset;
    if (button) button.hidden = !(y > 400 && y < last);
    last = y;
    var line = (header ? header.offsetHeight : 0) + 16, current = null;
    for (var i = 0; i < sections.length; i++) {
      if (sections[i] && sections[i].getBoundingClientRect().top <= line) current = links[i];
    }
    if (current !== active) {
      if (active) active.classList.remove("md-nav__link--active");
      if (current) current.classList.add("md-nav__link--active");
      active = current;
    }
  }

  window.addEventListener("scroll", function () {
    if (!pending) { pending = true; window.requestAnimationFrame(update); }
  }, { passive: true });
  if (button) {
    button.addEventListener("click", function () {
      window.scrollTo(0, 0);
      button.hidden = true;
    });
  }
  update();

  document.addEventListener("click", function (e) {
    var item = e.target.closest ? e.target.closest(".gt-checklist .gt-item") : null;
    if (!item || e.target.closest("a")) return;
    var box = item.closest("li").querySelector("input[type=checkbox]");
    if (box && box.getAttribute("aria-labelledby") === item.id) box.click();
  });
})();
