// "Read this out" beside each question of a [data-read-aloud] block: the browser's own voice reads the
// question, its hint and, once there is one, the answer so far, so a pupil who reads with difficulty can
// follow and check what the adult wrote. Nothing leaves the device. Without speech (or without this script)
// no button is added and the page works as it is.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var speech = window.speechSynthesis;
  var lang = document.documentElement.getAttribute("lang") || "en-GB";

  function words(question) {
    var parts = [];
    question.querySelectorAll("[data-read-aloud-text]").forEach(function (part) {
      var text = part.textContent.trim();
      if (text) { parts.push(text); }
    });
    var answer = question.querySelector("textarea");
    if (answer && answer.value.trim()) { parts.push("You wrote: " + answer.value.trim()); }
    return parts.join(". ");
  }

  document.querySelectorAll("[data-read-aloud]").forEach(function (question) {
    var slot = question.querySelector("[data-read-aloud-slot]");
    var heading = question.querySelector("[data-read-aloud-text]");
    if (!slot || !heading) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary read-aloud";
    button.textContent = "Read this out";
    // Four buttons with the same words: the name says which question each reads (starting with the words
    // shown, so speaking "Read this out" still works for voice control).
    button.setAttribute("aria-label", "Read this out: " + heading.textContent.trim());
    button.addEventListener("click", function () {
      // One voice at a time: a second press starts this question again instead of queueing behind another.
      speech.cancel();
      var utterance = new window.SpeechSynthesisUtterance(words(question));
      utterance.lang = lang;
      utterance.rate = 0.9;
      speech.speak(utterance);
    });
    slot.appendChild(button);
  });

  // Leaving the page stops the voice.
  window.addEventListener("pagehide", function () { speech.cancel(); });
})();
