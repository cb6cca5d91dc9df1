// A box that scrolls sideways (a wide results table on a phone, a long formula, a
// code block) must be reachable by keyboard to be scrolled (WCAG 2.1.1): each one
// that does scroll becomes a focusable region named by its caption (or its kind),
// and stops being one when the window is wide enough for it to fit.
(() => {
  const BOXES = ".invlib-table, .pst-scrollable-table-container, div.math, " +
                "mjx-container[display='true'], div.highlight pre, .cell_output pre";

  function nameOf(box) {
    const caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      caption.id = caption.id || `invlib-caption-${Math.random().toString(36).slice(2)}`;
      return {labelledby: caption.id};
    }
    if (box.matches("div.math, mjx-container")) return {label: "formula"};
    return {label: box.matches(".invlib-table, .pst-scrollable-table-container") ?
      "table" : "code"};
  }

  function update() {
    document.querySelectorAll(BOXES).forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth + 1 &&
        ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
      if (scrolls && !box.hasAttribute("data-invlib-scroll")) {
        // (only what the box lacks is added, and only that is taken away later:
        // MathJax gives its formulas a tabindex of their own)
        const name = nameOf(box);
        const wanted = {tabindex: "0", role: "region"};
        if (name.labelledby) wanted["aria-labelledby"] = name.labelledby;
        else wanted["aria-label"] = name.label;
        const added = Object.keys(wanted).filter((a) => !box.hasAttribute(a));
        added.forEach((a) => box.setAttribute(a, wanted[a]));
        box.setAttribute("data-invlib-scroll", added.join(" "));
      } else if (!scrolls && box.hasAttribute("data-invlib-scroll")) {
        box.getAttribute("data-invlib-scroll").split(" ").filter(Boolean)
          .forEach((a) => box.removeAttribute(a));
        box.removeAttribute("data-invlib-scroll");
      }
    });
  }

  let pending = false;
  const later = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; update(); }, 200);
  };
  window.addEventListener("load", later);
  window.addEventListener("resize", later);
  // MathJax typesets after load, and widen its formulas
  document.addEventListener("DOMContentLoaded", () =>
    new MutationObserver(later).observe(document.body, {subtree: true, childList: true}));
})();
