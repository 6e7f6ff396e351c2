// The assignment page's suggested units (issue #15, templates/textsearch/_routing_panel.html, loaded by
// htmx): a button [data-route-lead="<unit id>"] chooses that unit as the lead unit (主办单位) —
// lead mode, the unit in the lead picker, and not also a co-unit. No inline JS (CSP).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-route-lead]");
  if (!button) {
    return;
  }
  const form = document.querySelector("form.step-form");
  const select = form && form.querySelector("select[name='lead_unit']");
  const unit = button.getAttribute("data-route-lead");
  if (!select || !select.querySelector("option[value='" + CSS.escape(unit) + "']")) {
    return;
  }
  const lead = form.querySelector("input[name='mode'][value='lead']");
  if (lead && !lead.checked) {
    lead.checked = true;
    lead.dispatchEvent(new Event("change", { bubbles: true }));
  }
  select.value = unit;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  form.querySelectorAll("input[name='co_units']").forEach(function (box) {
    if (box.value === unit && box.checked) {
      box.checked = false;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  document.querySelectorAll("[data-route-lead]").forEach(function (other) {
    other.setAttribute("aria-pressed", other === button ? "true" : "false");
    other.classList.toggle("active", other === button);
  });
  select.focus();
});
