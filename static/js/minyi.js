// Minyi's only site-wide script: confirmations before irreversible actions, without inline JS
// (the Content-Security-Policy forbids inline scripts).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);
