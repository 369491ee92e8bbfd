/*
 * Behaviour of the report pages, wired from data- attributes (no inline script, strict CSP).
 * Every page works without it: the report page then shows the state it had when loaded (reload
 * it by hand), and the create form shows every period picker.
 *
 *   <div data-report-progress data-status-url="…/status.json">
 *        polls the URL every 2 s ({build_state, progress, error, ready}); updates the
 *        <progress> and [data-progress-percent] inside; reloads the page once the report is
 *        ready or has failed, so the figures, files or error appear
 *   <div data-period-kinds="month quarter">   shown only while the form's kind is one of these
 *   <div data-predecessors-box>              shown only when the chosen unit's option has
 *                                            data-has-predecessors (units formed in 2025)
 *   <button data-print hidden>               shown here; prints the page
 */
(function () {
  "use strict";

  var POLL_MS = 2000;

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
          box.dataset.buildState = data.build_state;
          if (bar) {
            bar.value = data.progress;
            bar.textContent = data.progress + "%";
          }
          if (percent) {
            percent.textContent = data.progress + "%";
          }
          if (data.ready || data.build_state === "failed") {
            window.location.reload();
            return;
          }
          schedule();
        })
        .catch(schedule); // a dropped connection: try again at the next tick
    }

    schedule();
  }

  function showPeriodPickers(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) {
      return;
    }
    form.querySelectorAll("[data-period-kinds]").forEach(function (box) {
      var kinds = box.dataset.periodKinds.split(" ");
      box.hidden = kinds.indexOf(kind.value) === -1;
    });
  }

  function showPredecessors(form) {
    var unit = form.querySelector("select[name=unit]");
    var box = form.querySelector("[data-predecessors-box]");
    if (!unit || !box) {
      return;
    }
    var chosen = unit.options[unit.selectedIndex];
    var meaningful = Boolean(chosen && chosen.dataset.hasPredecessors);
    box.hidden = !meaningful;
    if (!meaningful) {
      box.querySelectorAll("input[type=checkbox]").forEach(function (input) {
        input.checked = false;
      });
    }
  }

  document.querySelectorAll("[data-report-progress]").forEach(poll);

  document.querySelectorAll("form[data-report-form]").forEach(function (form) {
    showPeriodPickers(form);
    showPredecessors(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") {
        showPeriodPickers(form);
      } else if (event.target.name === "unit") {
        showPredecessors(form);
      }
    });
  });

  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
