// The day board: a refused step (400, 409) answers with the grid and its message,
// which htmx would not swap in by itself (it swaps 2xx only).
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 409) && event.detail.target && event.detail.target.id === "board") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
