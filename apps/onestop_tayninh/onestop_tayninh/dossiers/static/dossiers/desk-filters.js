"use strict";
// The desk list's drop-down filters (procedure, sector, agency, desk): choosing one opens the list with that
// choice and the other filters kept, from its first page, as Django's filter links do. The options carry
// their value only (dossiers/admin.py, ChoiceListFilter). A file, not an inline handler, because the
// Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-filter-select]").forEach(function (select) {
    select.addEventListener("change", function () {
      var params = new URLSearchParams(window.location.search);
      params.delete("p"); // the page number
      params.delete("e"); // the admin's error flag
      if (select.value) {
        params.set(select.dataset.parameter, select.value);
      } else {
        params.delete(select.dataset.parameter);
      }
      var query = params.toString();
      window.location.href = window.location.pathname + (query ? "?" + query : "");
    });
  });
});
