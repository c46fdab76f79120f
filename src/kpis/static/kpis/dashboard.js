// KPI dashboards: charts drawn from the page's json_script data ("dashboard-data"; no inline
// script: the Content-Security-Policy allows scripts from this site only). Each chart element
// names its kind in data-chart; a click on a point opens the orders behind it; every chart has
// a table view next to it for those who cannot see the chart.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function percent(v) { return Math.round(v * 100) + "%"; }
  function follow(chart, links) {
    chart.on("click", function (params) {
      var link = links && links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
  }
  var renderers = {
    trend: function (chart, data) {
      var d = data.trend;
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [d.labels.response, d.labels.onsite] },
        xAxis: { type: "category", data: d.days },
        yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: percent } },
        series: [
          { name: d.labels.response, type: "line", data: d.response },
          { name: d.labels.onsite, type: "line", data: d.onsite }
        ]
      });
      follow(chart, d.links);
    },
    backlog: function (chart, data) {
      var d = data.backlog;
      chart.setOption({
        tooltip: {},
        grid: { left: 120 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: d.units, inverse: true },
        series: [{ name: d.label, type: "bar", data: d.counts }]
      });
      follow(chart, d.links);
    },
    queue: function (chart, data) {
      chart.setOption({
        tooltip: {},
        xAxis: { type: "category", data: data.bands },
        yAxis: { type: "value", minInterval: 1 },
        series: [{
          type: "bar",
          data: data.counts.map(function (n, i) { return { value: n, itemStyle: { color: data.colors[i] } }; })
        }]
      });
      follow(chart, data.links);
    },
    capacity: function (chart, data) {
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [data.labels.capacity, data.labels.booked] },
        xAxis: { type: "category", data: data.names },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.labels.capacity, type: "bar", data: data.capacity },
          { name: data.labels.booked, type: "bar", data: data.booked }
        ]
      });
    }
  };
  ready(function () {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var render = renderers[el.dataset.chart];
      if (!render) { return; }
      var chart = window.echarts.init(el);
      render(chart, data);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    document.documentElement.dataset.chartsReady = String(charts.length);
  });
})();
