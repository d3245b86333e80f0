// Draw a study task's completion curve (branches done by day) from the page's json_script.
// The table below the chart holds every branch's state for screen readers and printing.
(function () {
  "use strict";
  var source = document.getElementById("task-chart-data");
  var canvas = document.getElementById("chart-completion");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        {
          label: canvas.getAttribute("aria-label"),
          data: data.done,
          stepped: true,
          borderColor: "#b22222",
          backgroundColor: "rgba(178, 34, 34, 0.35)",
          fill: true,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, max: data.total || 1, ticks: { precision: 0 } } },
    },
  });
})();
