"""The report page's stylesheet and script, inlined into every page (no CDN, no fetch of any kind)."""

CSS = """
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f8f9fb; --err: #b42318; --warn: #b54708; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); }
header, section { max-width: 1180px; margin: 0 auto; padding: 18px 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
h2 { font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin-top: 8px; }
.muted { color: var(--muted); }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.stat b { display: block; font-size: 22px; }
.stat.err b { color: var(--err); } .stat.warn b { color: var(--warn); }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top;
         overflow-wrap: anywhere; }
td.num, th.num { text-align: right; white-space: nowrap; }
nav a { margin-right: 14px; }
details.kind { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
details.kind summary { cursor: pointer; font-weight: 600; }
.sev-error { color: var(--err); } .sev-warning { color: var(--warn); }
ul.places { margin: 6px 0; padding-left: 18px; } ul.places li { margin: 2px 0; }
.where { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin: 10px 0 18px; }
.pair-head { grid-column: 1 / -1; font-weight: 600; }
.anki { background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.anki .meta { background: #f2f4f7; padding: 4px 10px; font-size: 13px; color: var(--muted); }
.anki .field { padding: 10px 14px; font-family: arial, sans-serif; font-size: 18px; text-align: center;
               overflow-wrap: anywhere; }
.anki .field + .field { border-top: 1px dashed var(--line); }
.anki .fname { display: block; font-size: 11px; color: var(--muted); text-align: left; }
.anki img { max-width: 100%; height: auto; }
.cloze { font-weight: bold; color: #1d4ed8; }
.map-wrap { position: relative; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
svg.map { width: 100%; height: auto; display: block; }
svg.map circle { stroke: #fff; stroke-width: 0.8; cursor: pointer; }
svg.map circle:hover, svg.map circle.hi { stroke: #000; stroke-width: 2; }
svg.map text.tl { font: 600 13px system-ui, sans-serif; paint-order: stroke; stroke: #fff; stroke-width: 4px;
                  pointer-events: none; }
#tip { position: absolute; pointer-events: none; background: #1d2330; color: #fff; padding: 6px 9px;
       border-radius: 6px; font-size: 13px; max-width: 360px; display: none; z-index: 5; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 10px 0; font-size: 13px; }
.legend span.sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 5px;
                  vertical-align: -1px; }
.legend label { cursor: pointer; }
.notice { background: #fffaeb; border: 1px solid #fedf89; border-radius: 8px; padding: 8px 12px; }
"""

JS = """
(function () {
  var wrap = document.querySelector('.map-wrap');
  var tip = document.getElementById('tip');
  var points = document.querySelectorAll('svg.map circle');
  var count = document.getElementById('map-count');
  if (count) { count.textContent = String(points.length); }
  if (wrap && tip) {
    points.forEach(function (c) {
      c.addEventListener('mousemove', function (e) {
        var box = wrap.getBoundingClientRect();
        tip.textContent = '';
        var front = document.createElement('div');
        front.textContent = c.getAttribute('data-front');
        var where = document.createElement('div');
        where.style.opacity = '0.7';
        where.textContent = c.getAttribute('data-where') + ' \\u00b7 ' + c.getAttribute('data-topic');
        tip.appendChild(front); tip.appendChild(where);
        tip.style.display = 'block';
        tip.style.left = Math.min(e.clientX - box.left + 14, box.width - 370) + 'px';
        tip.style.top = (e.clientY - box.top + 14) + 'px';
      });
      c.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    });
  }
  document.querySelectorAll('.legend input').forEach(function (box) {
    box.addEventListener('change', function () {
      var topic = box.getAttribute('data-topic');
      document.querySelectorAll('svg.map [data-t="' + topic + '"]').forEach(function (el) {
        el.style.display = box.checked ? '' : 'none';
      });
    });
  });
  document.documentElement.setAttribute('data-ready', '1');
})();
"""

# Tableau 20 (categorical, readable on white); topic n gets PALETTE[(n - 1) % len]; unassigned: grey.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d",
           "#393b79", "#637939"]
UNASSIGNED = "#9aa0a6"
