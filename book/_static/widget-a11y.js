// Accessible names for the widgets the Jupyter widget manager draws (WCAG 2.1 AA,
// checked with axe-core by tests/test_website.py).
// * A slider's description is a <label> tied to nothing, so its keyboard handle
//   (role="slider") had no name; the handle is now labelled by it. A selection
//   slider's handle also announced the index of the choice ("2") rather than the
//   choice the readout shows ("10"); it now announces the readout. The readout,
//   which can be typed into, is a text box with the same label.
// * A row of toggle buttons (a choice of one) is a group named by its label, and
//   each button says whether it is the one chosen (aria-pressed), which the
//   widget shows by colour alone.
// (The explorers' results are text and tables, from invlib/widgets.py.)
(() => {
  let serial = 0;

  function labelSliders() {
    document.querySelectorAll(".widget-slider").forEach((slider) => {
      const label = slider.querySelector(":scope > label.widget-label");
      const readout = slider.querySelector(":scope > .widget-readout");
      slider.querySelectorAll("[role='slider']").forEach((handle) => {
        if (label && label.textContent.trim() && !handle.hasAttribute("aria-labelledby")) {
          label.id = label.id || `invlib-widget-label-${++serial}`;
          handle.setAttribute("aria-labelledby", label.id);
        }
        const text = readout && readout.textContent.trim();
        if (text && handle.getAttribute("aria-valuetext") !== text) {
          handle.setAttribute("aria-valuetext", text);
        }
      });
      if (label && label.getAttribute("title") === "null") label.removeAttribute("title");
      // the readout can be typed into (a second way to set the value): a named text box
      if (readout && label && label.id && readout.isContentEditable &&
          !readout.hasAttribute("aria-labelledby")) {
        readout.setAttribute("role", "textbox");
        readout.setAttribute("aria-labelledby", label.id);
      }
    });
  }

  function labelToggles() {
    document.querySelectorAll(".widget-toggle-buttons").forEach((row) => {
      const label = row.querySelector(":scope > label.widget-label");
      const buttons = row.querySelectorAll(".widget-toggle-button");
      if (!buttons.length) return;
      const group = buttons[0].parentElement;
      if (label && label.textContent.trim() && !group.hasAttribute("aria-labelledby")) {
        label.id = label.id || `invlib-widget-label-${++serial}`;
        group.setAttribute("role", "group");
        group.setAttribute("aria-labelledby", label.id);
      }
      buttons.forEach((button) => {
        const pressed = String(button.classList.contains("mod-active"));
        if (button.getAttribute("aria-pressed") !== pressed) {
          button.setAttribute("aria-pressed", pressed);
        }
      });
    });
  }

  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; labelSliders(); labelToggles(); });
  });
  document.addEventListener("DOMContentLoaded", () => {
    observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                     attributes: true,
                                     attributeFilter: ["aria-valuenow", "class"]});
    labelSliders();
    labelToggles();
  });
})();
