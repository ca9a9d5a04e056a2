"use strict";
// On a phone the dossier list reads as one card a dossier (desk-changelist.css): each cell is given its
// column's name from the table's header, which the cards do not show. A file, not an inline script: the
// Content-Security-Policy allows none.
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("result_list");
  if (!table) {
    return;
  }
  var names = {};
  table.querySelectorAll("thead th").forEach(function (th) {
    th.classList.forEach(function (name) {
      var text = th.querySelector(".text");
      if (name.indexOf("column-") === 0 && text) {
        names[name.slice("column-".length)] = text.textContent.trim();
      }
    });
  });
  table.querySelectorAll("tbody td, tbody th").forEach(function (cell) {
    cell.classList.forEach(function (name) {
      var label = names[name.slice("field-".length)];
      if (name.indexOf("field-") === 0 && label) {
        cell.dataset.label = label;
      }
    });
  });
});
