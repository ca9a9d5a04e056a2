/* The receipt form: the organisation's fields only for an organisation. Without JavaScript the page
   shows them as the server drew them (for the kind chosen), and the server drops them for an individual. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_applicant_kind");
    if (!kind) { return; }
    function sync() {
      var organisation = kind.value === "organisation";
      Array.prototype.forEach.call(document.querySelectorAll(".intake-field.org-only"), function (row) {
        row.hidden = !organisation;
      });
    }
    kind.addEventListener("change", sync);
    sync();
  });
})();
