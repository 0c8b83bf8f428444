// The dashboard's charts (ECharts), drawn from the JSON the page carries; redrawn when htmx
// refreshes the figures. A click on a point or bar opens the list behind it.
(function () {
  "use strict";
  var colours = { red: "#c8161d", orange: "#e8730c", yellow: "#d4a300" };
  var charts = [];

  function chart(id, option, onClick) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) { return; }
    var instance = echarts.init(element, null, { renderer: "svg" });
    instance.setOption(option);
    if (onClick) { instance.on("click", onClick); }
    charts.push(instance);
  }

  function bars(id, rows) {
    chart(id, {
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: {},
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), inverse: true },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#1d5fa8" } }]
    }, function (event) { window.location.href = rows[event.dataIndex].url; });
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var source = document.getElementById("chart-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var days = data.days.map(function (d) { return d.slice(5); });
    function openDay(event) {
      var day = data.days[event.dataIndex];
      window.location.href = data.incident_list + "?since=" + day + "&until=" + day;
    }
    chart("chart-incidents", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", minInterval: 1 },
      series: data.levels.map(function (level) {
        return { name: level.name, type: "bar", stack: "level", data: level.data,
                 itemStyle: { color: colours[level.key] } };
      })
    }, openDay);
    chart("chart-complaints", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.complaints.name, type: "line", smooth: true, data: data.complaints.data, itemStyle: { color: "#1d5fa8" } },
        { name: data.complaints.escalated_name, type: "line", smooth: true, data: data.complaints.escalated, itemStyle: { color: "#c8161d" } }
      ]
    });
    bars("chart-lines", data.by_line);
    bars("chart-cities", data.by_city);
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
