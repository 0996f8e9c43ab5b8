// The day board.
// A refused step (400, 409) answers with the grid and its message, which htmx
// would not swap in by itself (it swaps 2xx only).
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 409) && event.detail.target && event.detail.target.id === "board") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// After a step the clicked button is gone with the old grid: the focus goes to the
// same visit's card in the new one, so keyboard users carry on where they were.
// The automatic refresh leaves the focus alone.
var steppedVisit = null;
document.addEventListener("htmx:beforeRequest", function (event) {
  var card = event.detail.elt.closest && event.detail.elt.closest("[data-appointment]");
  steppedVisit = card ? card.getAttribute("data-appointment") : null;
});
document.addEventListener("htmx:afterSettle", function (event) {
  if (!steppedVisit || !event.detail.target || event.detail.target.id !== "board") return;
  var card = event.detail.target.querySelector('[data-appointment="' + steppedVisit + '"]');
  steppedVisit = null;
  if (card) card.focus();
});
