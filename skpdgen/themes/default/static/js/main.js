/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Print buttons on service sheets (hidden until JavaScript can run them).
  document.querySelectorAll(".js-print").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  // Close the small-screen menu with Escape and return focus to its button.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var d = document.querySelector(".nav__small[open]");
    if (d) { d.open = false; d.querySelector("summary").focus(); }
  });
})();
