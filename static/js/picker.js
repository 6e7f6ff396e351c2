// Pickers ([data-picker], templates/core/_picker.html; issue #12): a list of checkboxes with a
// filter box — typing a name (or part of it, or a number) hides the others; the count of ticked
// people stays in the legend. No inline script (CSP); without this file the list still works.
(function () {
  function count(picker) {
    const ticked = picker.querySelectorAll("input[type=checkbox]:checked").length;
    const badge = picker.querySelector("[data-picker-count]");
    if (badge) badge.textContent = badge.dataset.template.replace("N", String(ticked));
  }
  function filter(picker) {
    const query = picker.querySelector("[data-picker-filter]").value.trim().toLowerCase();
    let shown = 0;
    picker.querySelectorAll("[data-picker-item]").forEach(function (item) {
      const box = item.querySelector("input");
      const match = !query || item.textContent.toLowerCase().indexOf(query) !== -1 || (box && box.checked);
      item.hidden = !match;
      if (match) shown += 1;
    });
    picker.querySelector("[data-picker-none]").hidden = shown > 0;
  }
  function setUp(picker) {
    const input = picker.querySelector("[data-picker-filter]");
    const badge = picker.querySelector("[data-picker-count]");
    if (!input || picker.dataset.pickerReady) return;
    picker.dataset.pickerReady = "1";
    if (badge) badge.dataset.template = badge.textContent.replace(/\d+/, "N");
    input.hidden = false;
    input.addEventListener("input", function () { filter(picker); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // typing a name must not submit the form
    });
    picker.addEventListener("change", function () { count(picker); });
  }
  function setUpAll(root) {
    (root || document).querySelectorAll("[data-picker]").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setUpAll(event.target); });
})();
