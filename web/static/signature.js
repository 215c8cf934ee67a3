// The tablet signature field of the consent page: drawn with a finger, a pen or a mouse, sent
// with the form as a PNG (data: URL) in the hidden "signature" input. Without a stroke the
// input stays empty and the server asks for a signature.
document.querySelectorAll("[data-signature]").forEach((pad) => {
  const canvas = pad.querySelector("canvas");
  const input = pad.querySelector("input[name=signature]");
  const context = canvas.getContext("2d");
  let drawing = false;
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const { x, y } = point(event);
    context.beginPath();
    context.moveTo(x, y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const { x, y } = point(event);
    context.lineTo(x, y);
    context.stroke();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    input.value = canvas.toDataURL("image/png");
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  pad.querySelector("[data-clear]").addEventListener("click", () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    input.value = "";
  });
});
