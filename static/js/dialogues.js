/*
 * Behaviour of the dialogue pages, wired from data- attributes (no inline script, strict CSP).
 * Every page works without it: formsets offer three blank forms, every village is listed,
 * and the browser's own print command prints.
 *
 *   <div data-formset-forms="petitions">            the forms of formset "petitions"
 *   <template data-formset-template="petitions">    its empty form ("__prefix__", "__number__")
 *   <button data-formset-add="petitions" hidden>     shown here; adds a copy of the empty form
 *   <select data-within="id_commune">                 shows only the options whose data-path lies
 *                                                    under the option chosen in #id_commune
 *   <button data-print hidden>                       shown here; prints the page
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

  function narrowAll(root) {
    root.querySelectorAll("select[data-within]").forEach(narrow);
  }

  document.addEventListener("change", function (event) {
    if (event.target.tagName !== "SELECT" || !event.target.id) {
      return;
    }
    document.querySelectorAll('select[data-within="' + event.target.id + '"]').forEach(narrow);
  });

  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.dataset.formsetAdd;
    var container = document.querySelector('[data-formset-forms="' + prefix + '"]');
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!container || !template || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = container.lastElementChild;
      narrowAll(added);
      // Keyboard users land in the new form instead of having to tab back up to it.
      var first = added.querySelector("input:not([type=hidden]), select, textarea");
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

  narrowAll(document);
})();
