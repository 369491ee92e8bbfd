/*
 * Behaviour of the Dân vận khéo pages, wired from data- attributes (no inline script, strict CSP).
 * Every page works without it: each inline table offers three blank rows, every locality is
 * listed, and the browser's own print command prints.
 *
 *   <table data-formset-forms="criteria">          the rows of formset "criteria", one <tbody> each
 *   <template data-formset-template="criteria">    its empty row ("__prefix__", "__number__")
 *   <button data-formset-add="criteria" hidden>    shown here; appends a copy of the empty row
 *   <select data-within="id_owner_unit">            shows only the options whose data-path lies
 *                                                  under the option chosen in #id_owner_unit
 *   <button data-print hidden>                     shown here; prints the page
 */
(function () {
  "use strict";

  function narrow(select) {
    var parent = document.getElementById(select.dataset.within);
    if (!parent) {
      return;
    }
    var chosen = parent.options[parent.selectedIndex];
    var prefix = chosen && chosen.dataset.path ? chosen.dataset.path : "";
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.dataset.path) {
        return; // the empty choice stays
      }
      var inside = prefix === "" || option.dataset.path.indexOf(prefix) === 0;
      option.hidden = !inside;
      option.disabled = !inside;
      if (!inside && option.selected) {
        select.value = "";
      }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.tagName !== "SELECT" || !event.target.id) {
      return;
    }
    document.querySelectorAll('select[data-within="' + event.target.id + '"]').forEach(narrow);
  });
  document.querySelectorAll("select[data-within]").forEach(narrow);

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var table = document.querySelector('[data-formset-forms="' + prefix + '"]');
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!table || !template || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      table.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      // Keyboard users land in the new row instead of tabbing back up to it.
      var added = table.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
