// Enable Bootstrap popovers on key terms (their definitions), where any are on the page.
document.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
  new bootstrap.Popover(el, { trigger: "hover focus", placement: "top" });
});

// A table wider than the screen scrolls inside its box: let the keyboard reach and scroll it
// (a tab stop only where it does overflow), named after the table's caption or heading.
function focusableScrollAreas(root) {
  root.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        const caption = box.querySelector("caption") || (box.closest("section, main") || document).querySelector("h1, h2");
        if (caption) box.setAttribute("aria-label", caption.textContent.trim());
      }
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  });
}
focusableScrollAreas(document);
window.addEventListener("resize", function () { focusableScrollAreas(document); });
document.body.addEventListener("htmx:afterSettle", function (event) { focusableScrollAreas(event.target); });

// Copy buttons (data-copy="#id" copies that element's text); print buttons are print.js's.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    const source = document.querySelector(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied || button.textContent;
      });
    }
  });
});

// The language menu switches at once (a button does it without JavaScript).
document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
  field.addEventListener("change", function () { field.form.submit(); });
});

// A read-only field to copy (the calendar feed address): one click selects all of it.
document.querySelectorAll("[data-select-on-click]").forEach(function (field) {
  field.addEventListener("click", function () { field.select(); });
});
