// Draws the state diagrams (Mermaid, vendored) once they are seen: one inside a closed
// <details> is drawn when it opens — Mermaid measures its text and cannot in a hidden element.
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

function draw(nodes) {
  const waiting = [...nodes].filter((node) => !node.hasAttribute("data-processed"));
  if (waiting.length) mermaid.run({ nodes: waiting });
}

draw([...document.querySelectorAll("pre.mermaid")].filter((n) => !n.closest("details:not([open])")));
document.querySelectorAll("details").forEach((details) => {
  details.addEventListener("toggle", () => {
    if (details.open) draw(details.querySelectorAll("pre.mermaid"));
  });
});
