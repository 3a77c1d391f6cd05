// On a narrow screen (app.css, "Phones and print"), the account details and the main links fold behind the
// "Menu" button so the page's own content starts on the first screen. Without this script nothing is
// folded: the button stays hidden and every link shows.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".menu-toggle");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("menu-open", open);
  }

  if (button) {
    root.classList.add("js-menu");
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes an open menu and puts the keyboard back on its button.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  // A "Print" button (the class profile) only makes sense with this script, so it starts hidden.
  document.querySelectorAll("[data-print]").forEach(function (print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      window.print();
    });
  });
})();
