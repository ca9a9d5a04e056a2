// Live preview of the e-form: when an administrator edits the e-form rows, post
// the current (unsaved) rows to the preview endpoint and show the citizen's view.
(function () {
  "use strict";
  const section = document.querySelector(".eform-preview");
  if (!section) return;
  const target = section.querySelector("[data-preview-target]");
  const form = document.querySelector("#procedureversion_form");
  if (!form) return;
  let timer = null;
  function refresh() {
    const data = new FormData(form);
    fetch(section.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then((response) => response.text())
      .then((html) => { target.innerHTML = html; })
      .catch(() => {});
  }
  form.addEventListener("input", (event) => {
    if (!event.target.name || !event.target.name.startsWith("form_fields-")) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name && event.target.name.startsWith("form_fields-")) refresh();
  });
})();
