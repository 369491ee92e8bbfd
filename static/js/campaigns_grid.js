/*
 * The scoring grid, the scorecard and the ranking pages, wired from data- attributes (no inline
 * script, strict CSP). Every page works without it: the server computes the totals and the
 * "what is missing" list on each render and refuses what is wrong.
 *
 *   <table data-grid>                          the grid
 *   <tr data-grid-row="<unit>" data-max-total> a unit's row; its weighted maximum
 *   <input data-score data-col data-code data-max data-weight>
 *                                              a score; numbers are typed "7,5" or "1.234,5"
 *   <td data-row-total> / <td data-row-percent> updated as the officer types
 *   <li data-missing-for="<unit>"> <span data-missing-codes>
 *                                              the unit's line in the "what is missing" panel
 *   <p data-missing-none>                      shown when nothing is missing
 *   <button data-print hidden>                 shown here; prints the page
 *
 * Keys: Tab follows the rows (document order); Enter moves to the same criterion in the next
 * row, Shift+Enter to the previous one, instead of submitting the form.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "vi";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  /* The server's parse_decimal: "7,5" → 7.5, "1.234" → 1234, "1.234,5" → 1234.5; else NaN. */
  function parse(text) {
    var value = String(text).replace(/[\s\u00a0]/g, "");
    if (value === "") {
      return null;
    }
    var negative = value.charAt(0) === "-";
    if (value.charAt(0) === "-" || value.charAt(0) === "+") {
      value = value.slice(1);
    }
    var number;
    if (/^\d+$/.test(value) || /^\d{1,3}(\.\d{3})+$/.test(value)) {
      number = parseFloat(value.replace(/\./g, ""));
    } else if (/^(\d{1,3}(\.\d{3})+|\d+),\d+$/.test(value)) {
      number = parseFloat(value.replace(/\./g, "").replace(",", "."));
    } else {
      return NaN;
    }
    return negative ? -number : number;
  }

  function check(input) {
    var value = parse(input.value);
    var max = parseFloat(input.dataset.max);
    var bad = value !== null && (isNaN(value) || value < 0 || value > max);
    input.classList.toggle("is-invalid", bad);
    if (bad) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    return bad || value === null ? null : value;
  }

  function updateRow(row) {
    var total = 0;
    var missing = [];
    row.querySelectorAll("input[data-score]").forEach(function (input) {
      var value = check(input);
      if (value === null) {
        missing.push(input.dataset.code);
      } else {
        total += value * parseFloat(input.dataset.weight || "1");
      }
    });
    var max = parseFloat(row.dataset.maxTotal);
    var totalCell = row.querySelector("[data-row-total]");
    var percentCell = row.querySelector("[data-row-percent]");
    if (totalCell) {
      totalCell.textContent = format.format(total);
    }
    if (percentCell && max > 0) {
      percentCell.textContent = format.format(Math.round((total * 10000) / max) / 100);
    }
    var line = document.querySelector('[data-missing-for="' + row.dataset.gridRow + '"]');
    if (line) {
      line.querySelector("[data-missing-codes]").textContent = missing.join(", ");
      line.hidden = missing.length === 0;
    }
  }

  function updateMissingPanel() {
    var none = document.querySelector("[data-missing-none]");
    if (!none) {
      return;
    }
    var open = document.querySelectorAll("[data-missing-for]:not([hidden])").length;
    none.hidden = open > 0;
  }

  function moveDown(input, step) {
    var row = input.closest("tr");
    var column = input.dataset.col;
    var next = step > 0 ? row.nextElementSibling : row.previousElementSibling;
    while (next) {
      var target = next.querySelector('input[data-score][data-col="' + column + '"]');
      if (target) {
        target.focus();
        target.select();
        return;
      }
      next = step > 0 ? next.nextElementSibling : next.previousElementSibling;
    }
  }

  document.querySelectorAll("table[data-grid]").forEach(function (table) {
    table.querySelectorAll("tr[data-grid-row][data-editable]").forEach(updateRow);
    updateMissingPanel();

    table.addEventListener("input", function (event) {
      if (!event.target.matches("input[data-score]")) {
        return;
      }
      updateRow(event.target.closest("tr"));
      updateMissingPanel();
    });

    table.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !event.target.matches("input[data-score]")) {
        return;
      }
      event.preventDefault();
      moveDown(event.target, event.shiftKey ? -1 : 1);
    });
  });

  // After a refused save, bring the list of problems into view for keyboard and screen readers.
  var problems = document.getElementById("grid-problems");
  if (problems) {
    problems.focus();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
