// The director's dashboard: charts drawn from the page's json_script data (no inline script:
// the Content-Security-Policy allows scripts from this site only). A click on a point opens the
// orders behind it; every chart has a table view under it for those who cannot see the chart.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var trendEl = document.getElementById("chart-trend");
    if (trendEl) {
      var trend = window.echarts.init(trendEl);
      trend.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [data.trend.labels.response, data.trend.labels.onsite] },
        xAxis: { type: "category", data: data.trend.days },
        yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } },
        series: [
          { name: data.trend.labels.response, type: "line", data: data.trend.response, connectNulls: false },
          { name: data.trend.labels.onsite, type: "line", data: data.trend.onsite, connectNulls: false }
        ]
      });
      trend.on("click", function (params) {
        var link = data.trend.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
      window.addEventListener("resize", function () { trend.resize(); });
    }
    var backlogEl = document.getElementById("chart-backlog");
    if (backlogEl) {
      var backlog = window.echarts.init(backlogEl);
      backlog.setOption({
        tooltip: {},
        grid: { left: 120 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.backlog.units, inverse: true },
        series: [{ name: data.backlog.label, type: "bar", data: data.backlog.counts }]
      });
      backlog.on("click", function (params) {
        var link = data.backlog.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
      window.addEventListener("resize", function () { backlog.resize(); });
    }
    document.documentElement.dataset.chartsReady = "1";
  });
})();
