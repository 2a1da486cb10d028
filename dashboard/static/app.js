// egovkpi pages: draws the charts from the option JSON the server put on each
// element, sorts tables, and submits the choices form when a choice changes.
(function () {
  "use strict";

  // formatNumber writes a number as the server's FormatNumber does (dashboard/i18n.go),
  // with its separators: <html data-num> is 1234.5 as FormatNumber wrote it for the
  // reader ("1.234,5" in Vietnamese, "1,234.5" in English), so pages and charts share one
  // convention. dec < 0 or absent means "as many as needed, up to 2 (4 below 1)".
  var sample = document.documentElement.getAttribute("data-num") || "1.234,5";
  var numGroup = sample.charAt(1), numPoint = sample.charAt(5);
  function formatNumber(v, dec) {
    if (typeof v === "string" && v !== "" && !isNaN(Number(v))) { v = Number(v); }
    if (typeof v !== "number" || !isFinite(v)) { return "—"; }
    var trim = dec == null || dec < 0;
    if (trim) { dec = Math.abs(v) < 1 && v !== 0 ? 4 : 2; }
    var s = Math.abs(v).toFixed(dec);
    if (trim && s.indexOf(".") >= 0) { s = s.replace(/0+$/, "").replace(/\.$/, ""); }
    var parts = s.split(".");
    var int = parts[0], out = "";
    for (var i = 0; i < int.length; i++) {
      if (i > 0 && (int.length - i) % 3 === 0) { out += numGroup; }
      out += int.charAt(i);
    }
    if (parts[1]) { out += numPoint + parts[1]; }
    return (v < 0 && Number(s) !== 0 ? "-" : "") + out;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  // The tooltip is built as DOM nodes, never as an HTML string: echarts' own tooltip
  // markup carries style="…" attributes, which the Content-Security-Policy (style-src
  // 'self', dashboard/server.go) refuses, and loosening it with 'unsafe-inline' would let
  // injected markup restyle the page. Nodes made with createElement and coloured through
  // element.style (the CSSOM, which the policy allows) keep the policy strict, the text
  // readable by screen readers and tests, and the series colour. echarts' richText mode
  // would also pass the policy, but draws the tooltip on the canvas, where no one can
  // read or select it.
  function tooltipFormatter(meta) {
    function value(p) {
      var v = p.value;
      if (Array.isArray(v)) { v = v[v.length - 1]; }
      if (v == null || v === "-" || (typeof v === "number" && isNaN(v))) { return meta.none || "—"; }
      return formatNumber(v, meta.decimals) + (meta.unit || "");
    }
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var box = el("div", "tip");
      var item = !Array.isArray(params);
      var title = item ? (meta.title || list[0].seriesName) : (list[0].axisValueLabel || list[0].name);
      if (title) { box.appendChild(el("div", "tip-title", title)); }
      list.forEach(function (p) {
        var row = el("div", "tip-row");
        var mark = el("span", "tip-mark");
        if (typeof p.color === "string") { mark.style.backgroundColor = p.color; }
        row.appendChild(mark);
        row.appendChild(document.createTextNode((item ? p.name : p.seriesName) + ": " + value(p)));
        box.appendChild(row);
      });
      return box;
    };
  }

  // localise sets the tooltip, the value axes and the series labels of an option to the
  // page's number format. meta (from the option's "egovkpi" key, which echarts does not
  // know) gives the decimals and the unit.
  function localise(opt) {
    var meta = opt.egovkpi || {};
    delete opt.egovkpi;
    var tips = Array.isArray(opt.tooltip) ? opt.tooltip : (opt.tooltip ? [opt.tooltip] : []);
    tips.forEach(function (t) {
      t.formatter = tooltipFormatter(meta);
      t.className = "chart-tip";
      t.confine = true;
    });
    ["xAxis", "yAxis"].forEach(function (k) {
      (Array.isArray(opt[k]) ? opt[k] : (opt[k] ? [opt[k]] : [])).forEach(function (a) {
        if (a.type === "value" || (!a.type && !a.data)) {
          a.axisLabel = a.axisLabel || {};
          if (!a.axisLabel.formatter) { a.axisLabel.formatter = function (v) { return formatNumber(v); }; }
        }
      });
    });
    (opt.series || []).forEach(function (sr) {
      if (sr.label && sr.label.show && !sr.label.formatter) {
        sr.label.formatter = function (p) {
          var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
          return formatNumber(v, meta.decimals) + (meta.unit || "");
        };
      }
    });
    return opt;
  }

  // on a phone the map's legend goes under the map, its title over it, and the
  // archipelagos' names break over lines instead of running off the edge
  function narrowMap(opt, map, width) {
    var vm = Array.isArray(opt.visualMap) ? opt.visualMap[0] : opt.visualMap;
    var title = Array.isArray(opt.title) ? opt.title[0] : opt.title;
    if (vm) { vm.orient = "horizontal"; vm.left = "center"; vm.bottom = 8; vm.itemWidth = 12; vm.itemHeight = Math.round(width * 0.45); }
    if (title) { delete title.bottom; title.top = 4; if (title.textStyle) { title.textStyle.width = width - 24; } }
    map.layoutCenter = ["50%", "52%"];
    map.layoutSize = "86%";
    (map.data || []).forEach(function (d) {
      if (d.label && d.label.show) { d.label.width = 96; d.label.overflow = "break"; d.label.fontSize = 11; d.label.lineHeight = 13; }
    });
  }

  function draw(box, opt) {
    // a choropleth needs no legend dot on every province
    (opt.series || []).forEach(function (sr) { if (sr.type === "map") { sr.showLegendSymbol = false; } });
    if ((opt.series || []).some(function (sr) { return sr.type === "map"; })) { opt.legend = [{ show: false }]; }
    // a long leaderboard gets room for every name; on a narrow screen the names get less
    // width and break over more lines (never cut)
    var y = Array.isArray(opt.yAxis) ? opt.yAxis[0] : opt.yAxis;
    if (y && y.data && y.data.length > 20) { box.style.height = (y.data.length * 19 + 90) + "px"; }
    if (y && y.axisLabel && y.axisLabel.width && box.clientWidth < 640) { y.axisLabel.width = Math.round(box.clientWidth * 0.3); }
    var map = (opt.series || []).filter(function (sr) { return sr.type === "map"; })[0];
    if (map && box.clientWidth < 640) {
      narrowMap(opt, map, box.clientWidth);
      box.style.height = Math.round(box.clientWidth * 1.4) + "px"; // not 760 px of mostly sea
    }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(localise(opt));
    box.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
    drawn.push({ chart: chart, box: box });
  }

  // printing: the charts are drawn again at the width of the printed page (an A4
  // landscape page is about 1,030 CSS pixels inside its margins), then at the screen's
  var drawn = [];
  var refit = function () { drawn.forEach(function (d) { d.chart.resize(); }); };
  window.addEventListener("beforeprint", refit);
  window.addEventListener("afterprint", refit);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", refit); }
  }

  // the menu (a <details>, layout.html): open on a wide screen, closed on a phone until
  // its button is tapped; closed again by Escape or a tap outside it
  function menu() {
    var m = document.getElementById("menu");
    if (!m || !window.matchMedia) { return; }
    var narrow = window.matchMedia("(max-width: 700px)");
    var fit = function () { m.open = !narrow.matches; };
    fit();
    if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && narrow.matches && m.open) { m.open = false; m.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (e) {
      if (narrow.matches && m.open && !m.contains(e.target)) { m.open = false; }
    });
  }

  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-option]").forEach(function (box) {
      var opt;
      try { opt = JSON.parse(box.getAttribute("data-option")); } catch (e) { return; }
      // a map's outlines come from /static as GeoJSON (cmd/mapgen), registered once
      var geo = box.getAttribute("data-geo");
      var map = (opt.series || []).filter(function (sr) { return sr.type === "map"; })[0];
      if (!geo || !map || window.echarts.getMap(map.map)) { draw(box, opt); return; }
      fetch(geo, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + geo); } return r.json(); })
        .then(function (json) {
          if (!window.echarts.getMap(map.map)) { window.echarts.registerMap(map.map, json); }
          draw(box, opt);
        })
        .catch(function (e) { box.textContent = String(e); });
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

  // the upload page: each file is sent with a progress bar, and the receipt or the list
  // of problems is shown under it
  function uploader() {
    var form = document.getElementById("upload");
    if (!form) { return; }
    var input = document.getElementById("file");
    var drop = document.getElementById("drop");
    var bar = document.getElementById("progress");
    var out = document.getElementById("results");
    var csrf = form.querySelector("input[name=csrf]").value;
    var tr = function (k) { return out.getAttribute("data-t-" + k) || k; };
    var lang = out.getAttribute("data-lang");
    function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text) { e.textContent = text; } return e; }
    var num = function (n) { return formatNumber(Number(n)); }; // as the pages write numbers
    // where a problem is, as a reader says it (ingest.Problem.Place): "ô D12 và D11 (trang
    // Báo cáo)"; a CSV file's line, "dòng 7"
    function place(p) {
      var cells = p.cells && p.cells.length ? p.cells : (p.cell ? [p.cell] : []);
      if (!p.sheet && p.row) { return (lang === "en" ? "row " : "dòng ") + p.row + ": "; }
      if (!cells.length) { return ""; }
      if (lang === "en") {
        return (cells.length > 1 ? "cells " : "cell ") + cells.join(" and ") + (p.sheet ? " (sheet " + p.sheet + ")" : "") + ": ";
      }
      return "ô " + cells.join(" và ") + (p.sheet ? " (trang " + p.sheet + ")" : "") + ": ";
    }
    function send(file, confirmed) {
      var fd = new FormData();
      fd.append("file", file);
      var dry = document.getElementById("dry").checked;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/submissions?lang=" + lang + (dry ? "&dry_run=true" : "") + (confirmed ? "&confirm=true" : ""));
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      bar.hidden = false; bar.value = 0;
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
      xhr.onload = function () {
        bar.value = 100;
        var box = el("div", "result");
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = { error: { message: xhr.statusText } }; }
        if (xhr.status === 200 || xhr.status === 201) {
          box.className += " ok";
          var head = body.identical ? tr("identical") : (body.dry_run ? tr("dry") : tr("accepted"));
          box.appendChild(el("strong", "", file.name + ": " + head));
          var ul = el("ul");
          (body.submissions || []).forEach(function (s) {
            ul.appendChild(el("li", "", s.unit_code + " · " + s.period + (s.version ? " · " + tr("version") + " " + s.version : "")));
          });
          box.appendChild(ul);
          if (body.rows !== undefined && !body.identical) { // a dossier export
            box.appendChild(el("p", "", tr("dossiers").replace("%d", num(body.rows)).replace("%d", num(body.unit_months))));
            var late = el("a", "", tr("late")); late.href = "/dossiers"; box.appendChild(late);
            if (body.unlisted_codes) { // procedures the catalogue in force does not hold
              box.appendChild(el("p", "flag unlisted", "⚠ " + tr("unlisted").replace("%d", num(body.unlisted_codes))));
              var pl = el("ul", "unlisted");
              (body.unlisted_procedures || []).forEach(function (p) {
                pl.appendChild(el("li", "", p.procedure_code + " · " + num(p.dossiers) + " " + tr("unlisted-dossiers")));
              });
              var more = body.unlisted_codes - (body.unlisted_procedures || []).length;
              if (more > 0) { pl.appendChild(el("li", "", tr("unlisted-more").replace("%d", num(more)))); }
              box.appendChild(pl);
            }
          }
          (body.warnings || []).forEach(function (w) { box.appendChild(el("p", "flag", "⚠ " + tr("warning") + ": " + place(w) + w.message)); });
        } else if (xhr.status === 409 && body.outcome === "needs_confirmation") {
          // a dossier export that would replace figures the unit reported itself
          box.className += " wait";
          box.appendChild(el("strong", "", file.name + ": " + tr("waiting")));
          box.appendChild(el("p", "", body.error.message));
          var chl = el("ul");
          (body.changes || []).forEach(function (ch) {
            chl.appendChild(el("li", "", ch.unit_code + " · " + ch.period + " · " + ch.measure_name + ": " + tr("reported") + " " + num(ch.reported) +
              " → " + tr("computed") + " " + num(ch.computed)));
          });
          box.appendChild(chl);
          var ok = el("button", "confirm", tr("confirm"));
          ok.type = "button";
          ok.addEventListener("click", function () { ok.disabled = true; send(file, true); });
          box.appendChild(ok);
        } else {
          box.className += " bad";
          box.appendChild(el("strong", "", file.name + ": " + tr("rejected")));
          var list = el("ul");
          (body.errors || []).forEach(function (p) {
            list.appendChild(el("li", "", place(p) + p.message));
          });
          if (body.error) { list.appendChild(el("li", "", body.error.message)); }
          box.appendChild(list);
          if (body.marked_file) { var a = el("a", "", tr("marked")); a.href = body.marked_file; box.appendChild(a); }
        }
        out.insertBefore(box, out.firstChild);
      };
      xhr.send(fd);
    }
    input.addEventListener("change", function () { Array.prototype.forEach.call(input.files, send); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (e) { Array.prototype.forEach.call(e.dataTransfer.files, send); });
  }

  menu();
  document.addEventListener("DOMContentLoaded", function () {
    uploader();
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
