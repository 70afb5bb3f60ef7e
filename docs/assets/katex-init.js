// Render the lecture's formulas with the KaTeX copy served from this site (docs/assets/katex):
// the site works offline, with no script, style or font from a CDN.
function renderMath() {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(renderMath);  // Material's instant navigation: render each page it loads
} else {
  document.addEventListener("DOMContentLoaded", renderMath);
}
