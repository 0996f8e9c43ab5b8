/* The visit reports' charts (Chart.js, vendored in workspace/vendor/). The figures come
   from the page's <script type="application/json" id="report-data"> (no inline script:
   the CSP allows none); the tables on the page hold the same figures for screen readers. */
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);

  // Colour-blind-safe (Okabe–Ito), dark enough on white.
  var palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933"];
  var colour = function (n) { return palette[n % palette.length]; };
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = reduceMotion ? false : Chart.defaults.animation;
  Chart.defaults.color = "#1c2a33";

  function bars(canvas, labels, datasets, options) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, aspectRatio: canvas.dataset.chart === "visits" ? 3 : 1.6 }, options || {}),
    });
  }

  function single(label, values) {
    return [{ label: label, data: values, backgroundColor: data.doctors.map(function (_, n) { return colour(n); }) }];
  }

  var draw = {
    visits: function (canvas) {
      bars(canvas, data.dates, data.visits.map(function (series, n) {
        return { label: series.doctor, data: series.values, backgroundColor: colour(n) };
      }), {
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      });
    },
    no_show_rate: function (canvas) {
      bars(canvas, data.doctors, single("No-show rate (%)", data.no_show_rate), {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, suggestedMax: 100 } },
      });
    },
    wait_minutes: function (canvas) {
      bars(canvas, data.doctors, single("Average wait (minutes)", data.wait_minutes), {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true } },
      });
    },
    lead_hours: function (canvas) {
      bars(canvas, data.doctors, single("Average lead time (hours)", data.lead_hours), {
        plugins: { legend: { display: false } },
      });
    },
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var make = draw[canvas.dataset.chart];
    if (make) make(canvas);
  });
})();
