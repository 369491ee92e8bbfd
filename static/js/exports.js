/*
 * The page of a background export, wired from data- attributes (no inline script, strict CSP).
 * Without it the page shows the state it had when loaded (reload it by hand).
 *
 *   <div data-export-progress data-status-url="…/status.json">
 *        polls the URL every 2 s ({status, rows_written, row_total, progress, text, finished});
 *        updates the <progress> and [data-progress-text] inside (the text comes translated from
 *        the server); reloads the page once the export is finished, so the download link or
 *        the error appears
 */
(function () {
  "use strict";

  var POLL_MS = 2000;

  function poll(box) {
    var url = box.dataset.statusUrl;
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");

    function schedule() {
      window.setTimeout(check, POLL_MS);
    }

    function check() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          box.dataset.status = data.status;
          if (bar) {
            bar.value = data.progress;
            bar.textContent = data.progress + "%";
          }
          if (text && data.text) {
            text.textContent = data.text;
          }
          if (data.finished) {
            window.location.reload();
            return;
          }
          schedule();
        })
        .catch(schedule); // a dropped connection: try again at the next tick
    }

    schedule();
  }

  document.querySelectorAll("[data-export-progress]").forEach(poll);
})();
