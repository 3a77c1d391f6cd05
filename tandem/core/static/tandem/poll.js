// Keeps a [data-poll] region up to date by fetching the page again; reloads when the region is gone
// (the work has finished). Without JavaScript the region's own "Refresh" link does the same.
(function () {
  "use strict";
  var region = document.querySelector("[data-poll]");
  if (!region) { return; }
  var every = parseInt(region.getAttribute("data-poll"), 10) || 2000;
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-poll]");
        if (!fresh) { window.location.reload(); return; }
        var live = region.querySelector("[role=status]");
        var next = fresh.querySelector("[role=status]");
        if (live && next && live.innerHTML !== next.innerHTML) { live.innerHTML = next.innerHTML; }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }
  window.setTimeout(poll, every);
})();
