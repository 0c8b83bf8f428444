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
    // Days as MM-DD, or months as YYYY-MM for a long period; a click opens the bucket's list.
    var days = data.days.map(function (d) { return data.bucket === "month" ? d.slice(0, 7) : d.slice(5); });
    function openDay(event) {
      var i = event.dataIndex;
      window.location.href = data.incident_list + "?since=" + data.days[i] + "&until=" + data.ends[i];
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
    if (data.map) { provinceMap(data.map, data.by_city); }
  }

  // The province's cities coloured by today's complaints; a click opens that city's list.
  // The GeoJSON is fetched once; its features are named as the cities' Chinese names begin
  // (长春 → 长春市, 延边 → 延边朝鲜族自治州).
  var geo = null;
  function provinceMap(map, byCity) {
    var ready = geo ? Promise.resolve(geo) : fetch(map.url).then(function (r) {
      if (!r.ok) { throw new Error(map.url + ": " + r.status); }
      return r.json();
    });
    ready.then(function (json) {
      if (!geo) { geo = json; echarts.registerMap("province", json); }
      var features = json.features.map(function (f) { return f.properties.name; });
      var areas = map.areas.map(function (a) {
        var feature = features.filter(function (n) { return n.indexOf(a.name_zh) === 0; })[0];
        return { name: feature || a.name_zh, city: a.name, value: a.value, url: a.url };
      });
      var top = Math.max.apply(null, areas.map(function (a) { return a.value; }).concat([1]));
      chart("chart-map", {
        tooltip: { formatter: function (p) { return p.data ? p.data.city + ": " + p.data.value : p.name; } },
        visualMap: { min: 0, max: top, left: 8, bottom: 8, calculable: true,
                     inRange: { color: ["#eaf1fb", "#1d5fa8", "#c8161d"] } },
        series: [{ type: "map", map: "province", name: map.name, roam: false, data: areas,
                   label: { show: true, fontSize: 10,
                            formatter: function (p) { return p.data ? p.data.city : p.name; } } }]
      }, function (event) { if (event.data) { window.location.href = event.data.url; } });
    }).catch(function () { bars("chart-map", byCity); });  // no map to be had: bars instead
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
