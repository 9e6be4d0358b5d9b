// The frames of the canvases drawn in one render arrive in one message (frames.py). Each
// canvas's new state is set on its model, which repaints as if that state had been sent to it.

function initialize({ model }) {
  const canvases = new Map(); // model id -> the canvas's model, once looked up
  let waiting = 0; // messages queued behind a lookup: later ones queue too, to keep the order
  let queue = Promise.resolve();

  async function lookUp(id) {
    try {
      canvases.set(id, await model.widget_manager.get_model(id));
    } catch (error) {
      // not loaded on this page: it reads the kernel's state when it is
      console.warn(`softmax-explorer: no canvas ${id} for its frame`, error);
    }
  }

  function apply(frames) {
    for (const [id, state] of Object.entries(frames)) {
      try {
        canvases.get(id)?.set(state);
      } catch (error) {
        console.error(`softmax-explorer: the frame of canvas ${id} failed`, error);
      }
    }
  }

  function receive(content) {
    const frames = content && content.frames;
    if (!frames || typeof frames !== "object") return;
    const unknown = Object.keys(frames).filter((id) => !canvases.has(id));
    if (waiting === 0 && unknown.length === 0) {
      apply(frames); // the usual case: at once
      return;
    }
    waiting += 1;
    queue = queue
      .then(() => Promise.all(unknown.map(lookUp)))
      .then(() => apply(frames))
      .finally(() => {
        waiting -= 1;
      });
  }

  model.on("msg:custom", receive);
  return () => model.off("msg:custom", receive);
}

export default { initialize };
