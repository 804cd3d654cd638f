// Tongxing's few behaviours of its own. The pages' Content-Security-Policy runs scripts
// from this site's files only, so none sits in a page: elements ask for one by an attribute.
"use strict";

// A select marked data-submit-on-change sends its form on a choice (the footer's language
// switcher). Without JavaScript, its form shows a button instead.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("[data-submit-on-change]") && field.form) {
    field.form.submit();
  }
});

// A form marked data-upload-progress="ID" moves the <progress id="ID"> as htmx sends it.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest("[data-upload-progress]");
  const bar = form && document.getElementById(form.dataset.uploadProgress);
  if (bar) {
    const { loaded, total } = event.detail;
    bar.value = total ? (loaded / total) * 100 : 0;
  }
});
