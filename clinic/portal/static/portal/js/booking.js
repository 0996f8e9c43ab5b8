// After htmx swaps in a date's free times, move keyboard and screen-reader focus to them.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "picker") {
      var title = document.getElementById("slots-title");
      if (title) title.focus();
    }
  });
})();
