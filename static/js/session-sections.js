// Session and series forms: show only the sections of the chosen lecture; keep what is ticked.
(function () {
  "use strict";
  var lecture = document.querySelector("[data-lecture-select]");
  var sections = document.querySelector("[data-section-select]");
  if (!lecture || !sections) return;
  function filter() {
    Array.prototype.forEach.call(sections.options, function (option) {
      option.hidden = lecture.value !== "" && option.dataset.lecture !== lecture.value && !option.selected;
    });
  }
  lecture.addEventListener("change", filter);
  filter();
})();
