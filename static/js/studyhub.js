// Enable Bootstrap popovers on key terms (their definitions), where any are on the page.
document.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
  new bootstrap.Popover(el, { trigger: "hover focus", placement: "top" });
});
