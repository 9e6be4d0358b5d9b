// Replays the display lists of softmax_explorer/canvas/renderer.py on an HTML canvas.
// The background (axes, ticks, labels) is painted once into an offscreen canvas; each frame
// copies it and draws the foreground (the animated artists) over it.

const images = new Map(); // base64 RGBA -> canvas holding those pixels (heatmaps repeat)

function pixels(width, height, rgba) {
  let canvas = images.get(rgba);
  if (!canvas) {
    const bytes = Uint8ClampedArray.from(atob(rgba), (c) => c.charCodeAt(0));
    canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.getContext("2d").putImageData(new ImageData(bytes, width, height), 0, 0);
    if (images.size > 64) images.delete(images.keys().next().value);
    images.set(rgba, canvas);
  }
  return canvas;
}

function clip(ctx, box) {
  if (!box) return;
  ctx.beginPath();
  ctx.rect(box[0], box[1], box[2], box[3]);
  ctx.clip();
}

function path(codes, xy) {
  const p = new Path2D();
  for (let i = 0, j = 0; i < codes.length; ) {
    switch (codes[i]) {
      case "M": p.moveTo(xy[j], xy[j + 1]); i += 1; j += 2; break;
      case "L": p.lineTo(xy[j], xy[j + 1]); i += 1; j += 2; break;
      case "Q": p.quadraticCurveTo(xy[j], xy[j + 1], xy[j + 2], xy[j + 3]); i += 2; j += 4; break;
      case "C":
        p.bezierCurveTo(xy[j], xy[j + 1], xy[j + 2], xy[j + 3], xy[j + 4], xy[j + 5]);
        i += 3; j += 6; break;
      case "Z": p.closePath(); i += 1; break;
      default: i += 1;
    }
  }
  return p;
}

function paint(ctx, p, fill, stroke, width, dash, cap, join) {
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill(p);
  }
  if (stroke) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = width;
    ctx.lineCap = cap;
    ctx.lineJoin = join;
    ctx.setLineDash(dash ? dash[1] : []);
    ctx.lineDashOffset = dash ? dash[0] : 0;
    ctx.stroke(p);
  }
}

const draw = {
  path(ctx, [codes, xy, fill, stroke, width, dash, cap, join, box]) {
    clip(ctx, box);
    paint(ctx, path(codes, xy), fill, stroke, width, dash, cap, join);
  },
  // one marker's outline, stamped at each offset
  markers(ctx, [codes, xy, offsets, fill, stroke, width, dash, cap, join, box]) {
    clip(ctx, box);
    const p = path(codes, xy);
    for (let j = 0; j < offsets.length; j += 2) {
      ctx.translate(offsets[j], offsets[j + 1]);
      paint(ctx, p, fill, stroke, width, dash, cap, join);
      ctx.translate(-offsets[j], -offsets[j + 1]);
    }
  },
  text(ctx, [s, x, y, angle, font, colour, align, box]) {
    clip(ctx, box);
    ctx.font = font;
    ctx.fillStyle = colour || "transparent";
    ctx.textAlign = align;
    ctx.textBaseline = "alphabetic";
    ctx.translate(x, y);
    ctx.rotate((-angle * Math.PI) / 180);
    ctx.fillText(s, 0, 0);
  },
  image(ctx, [width, height, rgba, m, alpha, box]) {
    clip(ctx, box);
    ctx.globalAlpha = alpha;
    ctx.imageSmoothingEnabled = false;
    ctx.transform(m[0], m[1], m[2], m[3], m[4], m[5]);
    ctx.drawImage(pixels(width, height, rgba), 0, 0);
  },
};

function replay(ctx, commands) {
  for (const [kind, ...args] of commands || []) {
    ctx.save();
    draw[kind](ctx, args);
    ctx.restore();
  }
}

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  const background = document.createElement("canvas");
  canvas.style.display = "block";
  el.classList.add("softmax-explorer-canvas");
  el.appendChild(canvas);
  // for screen readers: the plot is an image with a name and a description of its numbers
  const description = document.createElement("p");
  description.id = `softmax-explorer-description-${Math.random().toString(36).slice(2)}`;
  description.className = "softmax-explorer-description";
  description.style.cssText =
    "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);margin:0";
  el.appendChild(description);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-describedby", description.id);
  function describe() {
    canvas.setAttribute("aria-label", model.get("label") || "plot");
    description.textContent = model.get("description");
  }
  describe();
  // a finger on a plot that drags something drags it, and neither scrolls nor zooms the page
  const touch = () => { canvas.style.touchAction = model.get("drags") ? "none" : ""; };
  touch();
  let stale = true;
  let queued = false;

  // The figure is drawn at its own size, scaled down (never up) to the width the page gives it:
  // the commands are vectors, so a narrower column keeps every line and letter sharp.
  let scale = 1;
  function fitted() {
    const available = el.clientWidth;
    return available > 0 ? Math.min(1, available / model.get("width")) : 1;
  }

  function paint() {
    queued = false;
    const ratio = window.devicePixelRatio || 1;
    scale = fitted();
    const width = model.get("width") * scale;
    const height = model.get("height") * scale;
    const w = Math.round(width * ratio);
    const h = Math.round(height * ratio);
    if (canvas.width !== w || canvas.height !== h) {
      for (const c of [canvas, background]) {
        c.width = w;
        c.height = h;
      }
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      stale = true;
    }
    const transform = [ratio * scale, 0, 0, ratio * scale, 0, 0];
    if (stale) {
      const bg = background.getContext("2d");
      bg.setTransform(1, 0, 0, 1, 0, 0);
      bg.clearRect(0, 0, w, h);
      bg.setTransform(...transform);
      replay(bg, JSON.parse(model.get("background")));
      stale = false;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(background, 0, 0);
    ctx.setTransform(...transform);
    replay(ctx, JSON.parse(model.get("foreground")));
  }

  // one paint per message, however many of the traits it changed
  function queue() {
    if (!queued) {
      queued = true;
      queueMicrotask(paint);
    }
  }
  const restale = () => {
    stale = true;
    queue();
  };
  const listeners = [
    ["change:background", restale], ["change:foreground", queue], ["change:width", queue],
    ["change:height", queue], ["change:label", describe], ["change:description", describe],
    ["change:drags", touch],
  ];
  for (const [event, listener] of listeners) model.on(event, listener);
  // pointer presses, drags and releases, and arrow keys on the focused plot, in figure pixels
  function where(event) {
    const box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) / scale, y: (event.clientY - box.top) / scale };
  }
  let dragging = null;
  let moved = null;
  canvas.addEventListener("pointerdown", (event) => {
    dragging = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    model.send({ event: "button_press", ...where(event), button: event.button + 1 });
  });
  canvas.addEventListener("pointermove", (event) => {
    if (event.pointerId !== dragging) return;
    if (!moved) requestAnimationFrame(() => { model.send(moved); moved = null; });
    moved = { event: "motion_notify", ...where(event) }; // one message per frame: the latest
  });
  const release = (event) => {
    if (event.pointerId !== dragging) return;
    dragging = null;
    model.send({ event: "button_release", ...where(event), button: event.button + 1 });
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  const KEYS = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };
  canvas.tabIndex = 0;
  canvas.setAttribute("data-lm-suppress-shortcuts", ""); // Notebook 7: the arrows are ours
  canvas.addEventListener("keydown", (event) => {
    const key = KEYS[event.key];
    if (!key || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    event.stopPropagation();
    model.send({ event: "key_press", key });
  });
  // a new column width repaints at the next frame (not inside the observer's own callback)
  const resized = new ResizeObserver(() => {
    if (fitted() !== scale) requestAnimationFrame(queue);
  });
  resized.observe(el);
  paint();
  return () => {
    resized.disconnect();
    for (const [event, listener] of listeners) model.off(event, listener);
  };
}

export default { render };
