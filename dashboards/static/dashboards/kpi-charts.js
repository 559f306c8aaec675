/* Monthly cumulative line per metric against its target line (data from json_script). */
(function () {
  "use strict";
  var holder = document.getElementById("kpi-chart-data");
  if (!holder || !window.echarts) { return; }
  var data = JSON.parse(holder.textContent);
  var byCode = {};
  data.metrics.forEach(function (m) { byCode[m.code] = m; });
  document.querySelectorAll(".kpi-chart[data-metric]").forEach(function (el) {
    var m = byCode[el.getAttribute("data-metric")];
    if (!m) { return; }
    var series = [{
      name: "累计完成", type: "line", data: m.monthly, smooth: false, symbolSize: 4,
      areaStyle: { opacity: 0.08 }
    }];
    if (m.target !== null) {
      series.push({ name: "目标", type: "line", data: m.monthly.map(function () { return m.target; }),
        symbol: "none", lineStyle: { type: "dashed", color: "#dc3545" } });
    }
    if (m.stretch !== null) {
      series.push({ name: "挑战值", type: "line", data: m.monthly.map(function () { return m.stretch; }),
        symbol: "none", lineStyle: { type: "dotted", color: "#fd7e14" } });
    }
    var chart = echarts.init(el, null, { locale: "ZH", renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 8, top: 10, bottom: 20 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + m.unit; } },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", axisLabel: { fontSize: 10 } },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
