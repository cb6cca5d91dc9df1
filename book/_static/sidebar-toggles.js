// pydata-sphinx-theme 0.17 (under sphinx-book-theme 1.3) wires its sidebar
// behaviour only to the first ".primary-toggle" and ".secondary-toggle" on the page,
// which is a hidden navbar button; the visible ones in the article header (the
// only way into the chapters and the page contents on a phone) did nothing.
// Every other toggle now forwards its click to the wired one.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const toggles = document.querySelectorAll(`.${kind}-toggle`);
    toggles.forEach((button, index) => {
      if (index === 0) return;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        toggles[0].click();
      });
    });
  }
});
