// Keeps a copy of the answers being typed in this browser, so a dropped connection or a
// failed save never loses them; offers to restore a copy newer than the saved answers.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage) { return; }
  var key = "cyberready:draft:" + form.getAttribute("data-draft-key");
  var serverTime = Date.parse(form.getAttribute("data-updated")) || 0;
  var success = document.querySelector(".flash-success");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "submit";
    });
  }
  function snapshot() {
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { values[el.name] = el.value; }
      } else { values[el.name] = el.value; }
    });
    return values;
  }
  function restore(values) {
    fields().forEach(function (el) {
      if (!(el.name in values) && el.type !== "radio" && el.type !== "checkbox") { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = values[el.name] === el.value; }
      else { el.value = values[el.name]; }
    });
  }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key)); } catch (e) { stored = null; }
  if (success) { localStorage.removeItem(key); stored = null; }
  if (stored && stored.time > serverTime && !same(stored.values, snapshot())) {
    var note = document.querySelector(".draft-restore");
    if (note) {
      note.hidden = false;
      note.textContent = note.getAttribute("data-message") + " ";
      [["data-restore", function () { restore(stored.values); }],
       ["data-discard", function () { localStorage.removeItem(key); }]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = note.getAttribute(pair[0]);
        button.addEventListener("click", function () { pair[1](); note.hidden = true; });
        note.appendChild(button);
      });
      form.parentNode.insertBefore(note, form);
    }
  }
  form.addEventListener("input", function () {
    try { localStorage.setItem(key, JSON.stringify({ time: Date.now(), values: snapshot() })); }
    catch (e) { /* storage full or disabled: the server copy still counts */ }
  });
})();
