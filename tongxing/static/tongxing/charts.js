/* The dashboard's charts: each element with data-chart names the json_script element that
   holds its data (categories, series with their values and the addresses of their records).
   The table beside each chart holds the same figures; the chart only draws them. Clicking a
   bar or a point opens its records. No inline script or style: the page's policy allows
   neither, so sizes are set here and tooltips are drawn as canvas text, not HTML. */
(function () {
  "use strict";

  function optionOf(data) {
    return {
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "value",
        minInterval: data.percent ? 0 : 1,
        max: data.percent ? 100 : null,
        axisLabel: { formatter: data.percent ? "{value}%" : "{value}" },
      },
      series: data.series.map(function (line) {
        return {
          name: line.name,
          type: data.shape === "line" ? "line" : "bar",
          data: line.values,
          cursor: "pointer",
        };
      }),
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    element.style.width = "100%";
    element.style.height = "18rem";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(optionOf(data));
    chart.on("click", function (params) {
      var line = data.series[params.seriesIndex];
      var url = line && line.urls[params.dataIndex];
      if (url) window.location.assign(url);
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
