// Draws every element with a data-figure (a Plotly figure as JSON) once Plotly is loaded.
(function () {
  "use strict";
  var script = document.currentScript;
  var locale = script && script.getAttribute("data-locale");
  function draw() {
    if (!window.Plotly) { return; }
    if (locale && locale !== "en") { window.Plotly.setPlotConfig({ locale: locale }); }
    document.querySelectorAll(".chart[data-figure]").forEach(function (element) {
      var figure = JSON.parse(element.getAttribute("data-figure"));
      window.Plotly.newPlot(element, figure.data, figure.layout, figure.config || {});
      element.classList.add("drawn");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
