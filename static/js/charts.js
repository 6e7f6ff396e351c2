// Dashboard charts (统计看板): draws every element with data-chart="<id>" from the JSON block
// <script type="application/json" id="dashboard-charts"> (no inline JS: the CSP forbids it).
// Each data point carries the URL of the list behind it; clicking a bar or a slice opens that list.
// Charts hidden on phones (the page shows cards and tables there) are drawn when they become visible.
(function () {
  "use strict";

  var PALETTE = ["#b3121b", "#1f6feb", "#2da44e", "#bf8700", "#8250df", "#0a7d8c", "#cf222e", "#6e7781"];

  function base(spec) {
    return {
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: "system-ui, -apple-system, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
      // richText: the tooltip is drawn on the canvas, not as HTML with style attributes (CSP).
      tooltip: { trigger: spec.kind === "pie" ? "item" : "axis", confine: true, renderMode: "richText" },
      legend: spec.series.length > 1 || spec.kind === "pie" ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 48 : 20, bottom: 8, containLabel: true }
    };
  }

  function option(spec) {
    var opt = base(spec);
    if (spec.kind === "pie") {
      opt.series = [{
        type: "pie",
        name: spec.series[0].name,
        radius: ["35%", "65%"],
        top: 24,
        label: { formatter: "{b}\n{c}" },
        data: spec.series[0].data
      }];
      return opt;
    }
    var horizontal = spec.kind === "hbar";
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal,
      axisLabel: horizontal ? { width: 120, overflow: "truncate" } : { hideOverlap: true }
    };
    var valueAxis = { type: "value", minInterval: 1 };
    opt.xAxis = horizontal ? valueAxis : categoryAxis;
    opt.yAxis = horizontal ? categoryAxis : valueAxis;
    opt.series = spec.series.map(function (s) {
      return {
        type: spec.kind === "line" ? "line" : "bar",
        name: s.name,
        data: s.data,
        barMaxWidth: 36,
        label: { show: spec.categories.length <= 12, position: horizontal ? "right" : "top" }
      };
    });
    return opt;
  }

  function draw(el, spec) {
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(spec));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) {
        window.location.assign(url);
      }
    });
    el.setAttribute("data-chart-ready", "1");
    return chart;
  }

  function start() {
    var block = document.getElementById("dashboard-charts");
    if (!block || !window.echarts) {
      return;
    }
    var specs = JSON.parse(block.textContent);
    var charts = [];
    function drawVisible() {
      specs.forEach(function (spec) {
        var el = document.querySelector('[data-chart="' + spec.id + '"]');
        if (!el || el.getAttribute("data-chart-ready") || el.offsetParent === null) {
          return;
        }
        charts.push(draw(el, spec));
      });
    }
    drawVisible();
    window.addEventListener("resize", function () {
      drawVisible();
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
