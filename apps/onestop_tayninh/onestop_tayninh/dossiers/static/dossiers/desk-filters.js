"use strict";
// The desk list's drop-down filters (procedure, sector, agency, desk): choosing one opens the filtered list.
// A file, not an inline handler, because the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-filter-select]").forEach(function (select) {
    select.addEventListener("change", function () {
      window.location.search = select.value;
    });
  });
});
