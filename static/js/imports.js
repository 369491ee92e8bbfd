/*
 * The import page's progress bar, wired from data- attributes (no inline script, strict CSP).
 * Without it the page still works: it shows the state it had when loaded; reload by hand.
 *
 *   <div data-import-progress data-status-url="…/status.json">
 *        polls the URL every 1.5 s ({status, progress, finished}); updates the <progress> and
 *        [data-progress-percent] inside; reloads the page when the check or the import has
 *        finished, so the preview, the problems or the result appear
 */
(function () {
  "use strict";

  var POLL_MS = 1500;

  function poll(box) {
    var url = box.dataset.statusUrl;
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-progress-percent]");

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
          if (bar) {
            bar.value = data.progress;
            bar.textContent = data.progress + "%";
          }
          if (percent) {
            percent.textContent = data.progress + "%";
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

  document.querySelectorAll("[data-import-progress]").forEach(poll);
})();
