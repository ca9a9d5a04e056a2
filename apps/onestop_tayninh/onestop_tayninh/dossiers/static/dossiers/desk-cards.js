"use strict";
// On a phone the desk's dossier list and the dossier page's tables read as cards (desk-cards.css): each
// cell is given its column's name from the table's header, which the cards do not show. A file, not an
// inline script: the Content-Security-Policy allows none.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("#result_list, .dossier-page table.dossier-table").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      // A sortable heading of the list holds its sorting marks too; its name is in .text.
      return (th.querySelector(".text") || th).textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (names[index] && !cell.hasAttribute("colspan")) {
          cell.dataset.label = names[index];
        }
      });
    });
  });
});
