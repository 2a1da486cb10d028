// egovkpi pages: draws the charts from the option JSON the server put on each
// element, sorts tables, and submits the choices form when a choice changes.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-option]").forEach(function (el) {
      var opt;
      try { opt = JSON.parse(el.getAttribute("data-option")); } catch (e) { return; }
      // a long leaderboard gets room for every name
      var y = opt.yAxis && opt.yAxis[0];
      if (y && y.data && y.data.length > 30) { el.style.height = (y.data.length * 16 + 60) + "px"; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(opt);
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var btn = th.querySelector("button[data-sort]");
      if (!btn) { return; }
      btn.addEventListener("click", function () {
        var kind = btn.getAttribute("data-sort");
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var coll = new Intl.Collator(document.documentElement.lang || "vi");
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-v") || a.cells[col].textContent;
          var y = b.cells[col].getAttribute("data-v") || b.cells[col].textContent;
          var r = kind === "num" ? parseFloat(x) - parseFloat(y) : coll.compare(x, y);
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("table.sortable").forEach(sortable);
    var form = document.getElementById("choices");
    if (form) {
      form.querySelectorAll("select").forEach(function (s) {
        s.addEventListener("change", function () { form.submit(); });
      });
    }
  });
})();
