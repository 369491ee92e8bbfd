/*
 * The leaders' dashboard (reports/dashboard): draws its charts with Chart.js (served locally
 * from node_modules, see docs/dashboard.md) from the JSON that the page embeds with Django's
 * json_script, and wires the page's small behaviours. No inline script (strict CSP).
 *
 *   <script type="application/json" id="dashboard-data">  {activity, value, comparison}: each
 *                                                          {labels: [...], datasets: [{key, label, data}]}
 *   <canvas data-chart="activity" data-chart-type="line"> drawn from that entry; data-money formats
 *                                                          the axis as đồng; data-rendered="true" once drawn
 *   <button data-print hidden>                             shown here; prints the page (charts resized
 *                                                          to the paper first)
 *   [data-period-part="month"|"quarter"]                   shown only for that kind of period
 *
 * Without JavaScript or Chart.js the page still works: every chart has its figures in a table.
 */
(function () {
  "use strict";

  var PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#b02a37", "#6f42c1", "#20c997"];
  var charts = [];

  function locale() {
    var lang = document.documentElement.lang || "vi";
    return lang === "vi" ? "vi-VN" : lang;
  }

  function numbers(values) {
    return values.map(function (value) {
      return value === null || value === undefined ? null : Number(value);
    });
  }

  function drawChart(canvas, spec, format) {
    var type = canvas.dataset.chartType || "bar";
    var datasets = spec.datasets.map(function (series, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: series.label,
        data: numbers(series.data),
        borderColor: colour,
        backgroundColor: type === "line" ? colour : colour + "cc",
        borderWidth: 2,
        pointRadius: 3,
        tension: 0.2,
        spanGaps: true
      };
    });
    var chart = new window.Chart(canvas, {
      type: type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false, // drawn at once: printable and testable
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: {
            beginAtZero: true,
            ticks: {
              precision: 0,
              callback: function (value) { return format.format(value); }
            }
          }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                return context.dataset.label + ": " + (value === null ? "—" : format.format(value));
              }
            }
          }
        }
      }
    });
    canvas.dataset.rendered = "true";
    charts.push(chart);
  }

  function drawCharts() {
    var source = document.getElementById("dashboard-data");
    var canvases = document.querySelectorAll("canvas[data-chart]");
    if (!source || !canvases.length) {
      return;
    }
    if (typeof window.Chart === "undefined") {
      // The library did not load: open the tables so the figures are still in view.
      canvases.forEach(function (canvas) {
        canvas.dataset.rendered = "unavailable";
        var figure = canvas.closest("figure");
        var details = figure && figure.querySelector("details");
        if (details) {
          details.open = true;
        }
      });
      return;
    }
    var data = JSON.parse(source.textContent);
    var format = new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 });
    canvases.forEach(function (canvas) {
      var spec = data[canvas.dataset.chart];
      if (spec) {
        drawChart(canvas, spec, format);
      }
    });
  }

  function resizeCharts() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  function wirePrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
    // Charts are canvases sized for the screen: fit them to the paper, then back.
    window.addEventListener("beforeprint", resizeCharts);
    window.addEventListener("afterprint", resizeCharts);
  }

  function wirePeriodParts() {
    var kind = document.getElementById("dashboard-period");
    if (!kind) {
      return;
    }
    function update() {
      document.querySelectorAll("[data-period-part]").forEach(function (part) {
        var relevant = part.dataset.periodPart === kind.value;
        part.hidden = !relevant;
        part.querySelectorAll("select").forEach(function (select) {
          select.disabled = !relevant; // not sent: the query string names only what counts
        });
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  function start() {
    drawCharts();
    wirePrint();
    wirePeriodParts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
