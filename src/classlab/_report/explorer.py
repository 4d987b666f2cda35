"""The report's playground for part 2: sliders over the hidden width and the training epochs that
redraw the decision boundary of the faithful and the corrected net side by side, with the test
accuracy measured at that point. Plain HTML and JavaScript, no library, no network: the nets
(one hidden layer of leaky ReLUs) are small enough to evaluate in the page from their saved weights.
"""

import json
from html import escape

SCRIPT = r"""
(function () {
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const names = Object.keys(data.runs);
  const widthInput = document.getElementById("explorer-width");
  const epochInput = document.getElementById("explorer-epoch");
  const X = data.X, y = data.y, train = data.train_mask;
  const xs = X.map(p => p[0]), ys = X.map(p => p[1]);
  const pad = 0.5;
  const box = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad];
  const fills = ["rgba(59,76,192,0.30)", "rgba(180,4,38,0.30)", "rgba(80,160,80,0.30)", "rgba(200,160,0,0.30)"];
  const dots = ["#3b4cc0", "#b40426", "#3a8a3a", "#a07800"];

  function net(snapshot) {
    const first = snapshot.weights.first, last = snapshot.weights.last;
    const hidden = first.length / 3, classes = last.length / (hidden + 1);
    return function (p) {
      const h = new Array(hidden);
      for (let j = 0; j < hidden; j++) {
        const z = first[2 * j] * p[0] + first[2 * j + 1] * p[1] + first[2 * hidden + j];
        h[j] = z > 0 ? z : 0.01 * z;  // leaky_relu, negative slope 0.01
      }
      let best = 0, bestValue = -Infinity;
      for (let c = 0; c < classes; c++) {
        let z = last[hidden * classes + c];
        for (let j = 0; j < hidden; j++) z += last[c * hidden + j] * h[j];
        if (z > bestValue) { bestValue = z; best = c; }
      }
      return best;  // log_softmax keeps the order: the class of the largest output
    };
  }

  function snapshotOf(name, w, e) {
    const snaps = data.runs[name][w];
    return snaps[Math.min(e, snaps.length - 1)];
  }

  function draw(canvas, predict) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height, cell = 3;
    const sx = v => (v - box[0]) / (box[1] - box[0]) * W, sy = v => H - (v - box[2]) / (box[3] - box[2]) * H;
    ctx.clearRect(0, 0, W, H);
    for (let i = 0; i < W; i += cell) {
      for (let k = 0; k < H; k += cell) {
        const p = [box[0] + (i + cell / 2) / W * (box[1] - box[0]), box[3] - (k + cell / 2) / H * (box[3] - box[2])];
        ctx.fillStyle = fills[predict(p) % fills.length];
        ctx.fillRect(i, k, cell, cell);
      }
    }
    for (let n = 0; n < X.length; n++) {
      ctx.strokeStyle = ctx.fillStyle = dots[y[n] % dots.length];
      const u = sx(X[n][0]), v = sy(X[n][1]);
      if (train[n]) { ctx.beginPath(); ctx.arc(u, v, 2, 0, 2 * Math.PI); ctx.fill(); }
      else { ctx.beginPath(); ctx.moveTo(u - 2, v - 2); ctx.lineTo(u + 2, v + 2); ctx.moveTo(u + 2, v - 2);
             ctx.lineTo(u - 2, v + 2); ctx.stroke(); }
    }
  }

  function update() {
    const w = +widthInput.value, e = +epochInput.value;
    document.getElementById("explorer-width-value").textContent = data.widths[w];
    names.forEach((name, i) => {
      const snap = snapshotOf(name, w, e);
      draw(document.getElementById("explorer-canvas-" + i), net(snap));
      document.getElementById("explorer-caption-" + i).textContent =
        name + ": width " + data.widths[w] + ", epoch " + snap.epoch + ", test accuracy " + snap.accuracy.toFixed(3);
    });
    document.getElementById("explorer-epoch-value").textContent = snapshotOf(names[0], w, e).epoch;
  }

  // For tests: the page's own predictions, to check them against what torch measured.
  window.classlabExplorer = {
    names: names,
    accuracy: function (name, w, e) {
      const predict = net(snapshotOf(name, w, e));
      let right = 0, total = 0;
      for (let n = 0; n < X.length; n++) if (!train[n]) { total++; if (predict(X[n]) === y[n]) right++; }
      return [right / total, snapshotOf(name, w, e).accuracy];
    },
  };
  widthInput.addEventListener("input", update);
  epochInput.addEventListener("input", update);
  update();
})();
"""


def render(data):
    """The playground's HTML for ``details["explorer"]`` of answer 2.4."""
    epochs = [snap["epoch"] for snap in next(iter(data["runs"].values()))[0]]
    names = list(data["runs"])
    panels = "".join(
        f'<figure><canvas id="explorer-canvas-{i}" width="330" height="330"></canvas>'
        f'<figcaption id="explorer-caption-{i}">{escape(name)}</figcaption></figure>' for i, name in enumerate(names))
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f"""<section id="explorer"><h3>Watch the boundary move</h3>
<p class="note">Move the sliders: the hidden layer's width, and how far training had got. Left: the listing as written;
right: correct practice. Circles are training points, crosses test points; the accuracy is the test accuracy measured
at that point of training.</p>
<p><label>hidden width <input type="range" id="explorer-width" min="0" max="{len(data['widths']) - 1}" step="1"
value="0"> <output id="explorer-width-value">{data['widths'][0]}</output></label>
&nbsp; <label>after epoch <input type="range" id="explorer-epoch" min="0" max="{len(epochs) - 1}" step="1"
value="{len(epochs) - 1}"> <output id="explorer-epoch-value">{epochs[-1]}</output></label></p>
<div class="explorer-panels">{panels}</div>
<script type="application/json" id="explorer-data">{payload}</script>
<script>{SCRIPT}</script></section>"""
