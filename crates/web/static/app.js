// Wangge: small enhancements only; every page works without this script.
(function () {
  "use strict";
  // Highlight the grid under the pointer on region maps (title tooltips do the rest).
  document.addEventListener("DOMContentLoaded", function () {
    var cells = document.querySelectorAll("svg.region-map a");
    for (var i = 0; i < cells.length; i++) {
      cells[i].setAttribute("tabindex", "0");
    }
  });
})();
