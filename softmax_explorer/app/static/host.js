// The dashboard's side of its page (softmax_explorer/app/host.py): the page's theme and address,
// reported to the kernel, and names and keys for the controls ipywidgets renders.

const ICONS = { "fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop", "fa-retweet": "Repeat" };

function prepare(root) {
  for (const handle of root.querySelectorAll(".noUi-handle:not([data-lm-suppress-shortcuts])")) {
    // the arrow keys move the focused slider, not the notebook's cursor
    handle.setAttribute("data-lm-suppress-shortcuts", "");
  }
  for (const handle of root.querySelectorAll(".noUi-handle:not([aria-label])")) {
    const label = handle.closest(".widget-slider")?.querySelector(".widget-label");
    if (label && label.textContent.trim()) handle.setAttribute("aria-label", label.textContent.trim());
  }
  for (const button of root.querySelectorAll(".widget-play button:not([aria-label])")) {
    const icon = [...(button.querySelector("i")?.classList || [])].find((c) => ICONS[c]);
    if (icon) {
      button.setAttribute("aria-label", ICONS[icon]);
      button.title = ICONS[icon];
    }
  }
}

function render({ model, el }) {
  el.style.display = "none";
  const address = location.origin + location.pathname;
  if (model.get("address") !== address) {
    model.set("address", address);
    model.save_changes();
  }
  function report() {
    const light = document.body.dataset.jpThemeLight;
    if (light === undefined) return; // a page without JupyterLab's themes
    const theme = light === "false" ? "dark" : "light";
    if (model.get("theme") !== theme) {
      model.set("theme", theme);
      model.save_changes();
    }
  }
  const themes = new MutationObserver(report);
  themes.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light"] });
  report();

  let controls = null;
  let pending = null; // one pass per burst of changes, not one per change
  let tries = 0;
  function attach() {
    const root = el.closest(".softmax-explorer");
    if (!root) {
      if (++tries < 600) requestAnimationFrame(attach); // until the layout is in the page
      return;
    }
    controls = new MutationObserver(() => {
      pending = pending || setTimeout(() => { pending = null; prepare(root); }, 100);
    });
    controls.observe(root, { subtree: true, childList: true });
    prepare(root);
  }
  attach();
  return () => {
    themes.disconnect();
    controls?.disconnect();
    clearTimeout(pending);
  };
}

export default { render };
