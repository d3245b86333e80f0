// Draw the report page's attendance charts from the JSON the page embeds (json_script).
// The tables beside the charts hold the same figures for screen readers and printing.
(function () {
  "use strict";
  var source = document.getElementById("report-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var percent = {
    y: {
      beginAtZero: true,
      max: 100,
      ticks: {
        callback: function (value) {
          return value + "%";
        },
      },
    },
  };
  function draw(id, kind, series) {
    var canvas = document.getElementById(id);
    if (!canvas || !series.labels.length) {
      return;
    }
    new Chart(canvas, {
      type: kind,
      data: {
        labels: series.labels,
        datasets: [
          {
            label: canvas.getAttribute("aria-label"),
            data: series.rates,
            borderColor: "#b22222",
            backgroundColor: "rgba(178, 34, 34, 0.35)",
            spanGaps: true,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: percent,
      },
    });
  }
  draw("chart-months", "line", data.months);
  draw("chart-branches", "bar", data.branches);
})();
