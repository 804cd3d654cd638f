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
