/*
 * Portal behaviour. Everything is wired from data- attributes here, never from inline scripts
 * or on* attributes, so the pages work under a strict Content-Security-Policy.
 *
 *   <form data-confirm="Xóa bản ghi này?">   asks before submitting (e.g. deletes)
 *   <select data-autosubmit>                 submits its form when the choice changes (filters)
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var field = event.target.closest("select[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit();
    }
  });
})();
