/*
 * The criteria set form: add criterion rows and add up their maximum points as they are typed,
 * against the set's total. Wired from data- attributes (no inline script, strict CSP). Without
 * it the page still works: three blank rows are offered and the server checks the sum.
 *
 *   <table data-formset-forms="criteria">          the rows, one <tbody> each
 *   <template data-formset-template="criteria">    the empty row ("__prefix__", "__number__")
 *   <button data-formset-add="criteria" hidden>    shown here; appends a copy of the empty row
 *   <input data-points>                            a criterion's maximum points ("7,5")
 *   <input data-points-total>                      the set's total
 *   <p data-points-summary hidden>                 shown here, with <output data-points-sum>,
 *                                                  [data-points-target], [data-points-ok] and
 *                                                  [data-points-off] (labels come from the page)
 */
(function () {
  "use strict";

  /* "1.234,5" → 123450 hundredths; "7,5" → 750; "40" → 4000; anything else → null. */
  function hundredths(text) {
    var value = String(text || "").replace(/[\s\u00a0]/g, "");
    if (value === "") {
      return null;
    }
    if (/^\d{1,3}(\.\d{3})+$/.test(value)) {
      value = value.replace(/\./g, "");
    } else if (/^(\d{1,3}(\.\d{3})+|\d+),\d{1,2}$/.test(value)) {
      value = value.replace(/\./g, "").replace(",", ".");
    } else if (!/^\d+$/.test(value)) {
      return null;
    }
    return Math.round(parseFloat(value) * 100);
  }

  /* 750 → "7,5"; 4000 → "40"; 123450 → "1.234,5". */
  function show(cents) {
    var whole = Math.floor(cents / 100);
    var rest = cents % 100;
    var text = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    if (rest) {
      text += "," + String(rest).padStart(2, "0").replace(/0$/, "");
    }
    return text;
  }

  var form = document.querySelector("form[data-criteria-form]");
  if (!form) {
    return;
  }
  var summary = form.querySelector("[data-points-summary]");
  var total = form.querySelector("[data-points-total]");

  function update() {
    if (!summary) {
      return;
    }
    var sum = 0;
    form.querySelectorAll("input[data-points]").forEach(function (input) {
      var row = input.closest(".formset-item");
      var removed = row && row.querySelector('input[type="checkbox"][name$="-DELETE"]');
      if (removed && removed.checked) {
        return;
      }
      var value = hundredths(input.value);
      if (value !== null) {
        sum += value;
      }
    });
    var target = total ? hundredths(total.value) : null;
    summary.querySelector("[data-points-sum]").textContent = show(sum);
    summary.querySelector("[data-points-target]").textContent = target === null ? "—" : show(target);
    summary.querySelector("[data-points-ok]").hidden = target === null || sum !== target;
    summary.querySelector("[data-points-off]").hidden = target === null || sum === target;
    summary.hidden = false;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var table = document.querySelector('[data-formset-forms="' + prefix + '"]');
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var count = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!table || !template || !count) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(count.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      table.insertAdjacentHTML("beforeend", html);
      count.value = String(index + 1);
      // Keyboard users land in the new row instead of tabbing back up to it.
      var added = table.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
      update();
    });
  });

  update();
})();
