// How much of a file has been sent, on a form marked data-upload-progress="<id of a <progress>>"
// that htmx submits. (No inline script: the pages run under a Content-Security-Policy.)
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest && event.target.closest("[data-upload-progress]");
  if (!form || !event.detail.total) {
    return;
  }
  var bar = document.getElementById(form.dataset.uploadProgress);
  if (bar) {
    bar.value = (event.detail.loaded / event.detail.total) * 100;
  }
});
