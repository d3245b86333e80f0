// Print buttons on the printable pages (sign-in sheet, meeting record, report print views).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
