/* The dossier page: narrow the list of bodies to consult as the official types (with or without
   diacritics), and say which are ticked. Without JavaScript the whole list stays and still works. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function setUp(picker) {
    var search = picker.querySelector(".consult-picker__search");
    var items = Array.prototype.slice.call(picker.querySelectorAll(".consult-picker__list li"));
    var none = picker.querySelector(".consult-picker__none");
    var count = picker.querySelector(".consult-picker__count");
    items.forEach(function (item) { item.dataset.folded = fold(item.dataset.search || item.textContent); });
    function filter() {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var match = box.checked || words.every(function (word) { return item.dataset.folded.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      none.hidden = shown > 0;
    }
    function tally() {
      var names = items.filter(function (item) { return item.querySelector("input").checked; }).map(function (item) {
        item.classList.add("chosen");
        return item.querySelector("span").textContent;
      });
      items.forEach(function (item) { if (!item.querySelector("input").checked) { item.classList.remove("chosen"); } });
      count.textContent = names.length ? count.dataset.some + " " + names.join("; ") : count.dataset.empty;
    }
    search.addEventListener("input", filter);
    // Enter in the search box must not send the form.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    picker.addEventListener("change", tally);
    picker.closest("form").addEventListener("submit", function (event) {
      if (!items.some(function (item) { return item.querySelector("input").checked; })) {
        event.preventDefault();
        count.textContent = count.dataset.empty;
        count.classList.add("errornote");
        search.focus();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-consult-picker]"), setUp);
  });
})();
