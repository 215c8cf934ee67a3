// The report page's two bar charts, from the figures the page itself shows (no small cells).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var options = function (horizontal) {
    return {
      indexAxis: horizontal ? "y" : "x",
      animation: false,
      plugins: { legend: { display: false } },
      // Counts and whole days: no half steps on the axis.
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    };
  };
  var draw = function (id, figures, colour, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || !figures.values.length) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: figures.labels, datasets: [{ data: figures.values, backgroundColor: colour }] },
      options: options(horizontal),
    });
  };
  draw("chart-referrals", data.referrals, "#1565c0", false);
  draw("chart-durations", data.durations, "#2e7d32", true);
})();
