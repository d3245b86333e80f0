// Series form: show only the fields the chosen pattern uses (the form's own list, embedded with
// json_script); the server ignores the others anyway.
(function () {
  "use strict";
  var pattern = document.getElementById("id_pattern");
  var source = document.getElementById("series-pattern-fields");
  if (!pattern || !source) return;
  var uses = JSON.parse(source.textContent);
  var optional = [];
  Object.keys(uses).forEach(function (key) {
    uses[key].forEach(function (name) {
      if (optional.indexOf(name) < 0) optional.push(name);
    });
  });
  function update() {
    optional.forEach(function (name) {
      var field = document.getElementById("div_id_" + name);
      if (field) field.hidden = (uses[pattern.value] || []).indexOf(name) < 0;
    });
  }
  pattern.addEventListener("change", update);
  update();
})();
