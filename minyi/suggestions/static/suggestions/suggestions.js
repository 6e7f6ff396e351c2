// Suggestion pages (no inline JS: the Content-Security-Policy forbids it).
// - [data-print] buttons print the page (the reply letter).
// - The assignment form shows the fields of the chosen mode (lead + co-units, or split).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

function minyiAssignMode() {
  const checked = document.querySelector("input[name=mode]:checked");
  if (!checked) return;
  const split = checked.value === "split";
  document.querySelectorAll(".assign-lead").forEach(function (el) { el.hidden = split; });
  document.querySelectorAll(".assign-split").forEach(function (el) { el.hidden = !split; });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("input[name=mode]")) minyiAssignMode();
});
document.addEventListener("DOMContentLoaded", minyiAssignMode);

// - A [data-check-all=NAME] checkbox (the bulk pages' 全选) ticks or clears every checkbox NAME.
document.addEventListener("change", function (event) {
  const all = event.target.closest("[data-check-all]");
  if (!all) return;
  const form = all.form || document;
  form.querySelectorAll("input[type=checkbox][name='" + all.dataset.checkAll + "']").forEach(function (box) {
    box.checked = all.checked;
  });
});
