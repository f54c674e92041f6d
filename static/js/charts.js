// Charts before Plotly: every chart is first a server-drawn image of its Plotly figure with its table.
// The interactive chart (1.5 MB of Plotly) loads only when the reader presses "Explore", or by itself
// once the page has loaded on a fast connection that does not ask to save data, on a screen wider than a phone's.
(function () {
  "use strict";
  var script = document.currentScript;
  var data = script ? script.dataset : {};
  var loading = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadPlotly() {
    if (!loading) {
      // The stylesheet's id tells Plotly not to inject a <style>, which the strict CSP would block.
      var css = load("link", { id: "plotly.js-style-global", "class": "no-inline-styles", rel: "stylesheet", href: data.plotlyCss });
      loading = css.then(function () { return load("script", { src: data.plotly }); }).then(function () {
        if (data.plotlyLocale) { return load("script", { src: data.plotlyLocale }); }
      }).then(function () {
        if (data.locale && data.locale !== "en") { window.Plotly.setPlotConfig({ locale: data.locale }); }
      });
      loading.catch(function () { loading = null; });  // a later press tries again
    }
    return loading;
  }

  function draw(box) {
    var chart = box.querySelector(".chart[data-figure]");
    if (!chart || chart.classList.contains("drawn")) { return; }
    var figure = JSON.parse(chart.getAttribute("data-figure"));
    window.Plotly.newPlot(chart, figure.data, figure.layout, figure.config || {});
    chart.classList.add("drawn");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", chart.getAttribute("data-label") || "");
    var image = box.querySelector(".chart-image");
    if (image) { image.hidden = true; }  // the interactive chart takes the image's place
    box.querySelector(".explore").hidden = true;
  }

  function explore(box, button) {
    var text = button.textContent;
    button.disabled = true;
    button.textContent = data.loading || text;
    loadPlotly().then(function () { draw(box); }, function () {
      button.disabled = false;
      button.textContent = text;
      var note = box.querySelector(".explore-failed") || document.createElement("span");
      note.className = "explore-failed muted";
      note.setAttribute("role", "status");
      note.textContent = " " + (data.failed || "");
      button.parentNode.appendChild(note);
    });
  }

  function fastConnection() {
    var connection = navigator.connection;
    return !!connection && !connection.saveData && connection.effectiveType === "4g";
  }

  // A phone-sized screen keeps the image drawn for it (the same breakpoint as the narrow image) until
  // the reader explores: on a phone's slower processor, Plotly takes seconds of the main thread, during
  // which the page does not answer a tap, even when the connection is fast.
  function wideScreen() {
    return !window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches;
  }

  // One chart per task, so that a tap or a scroll is answered between two charts.
  function drawEach(boxes) {
    var list = Array.prototype.slice.call(boxes);
    (function next() {
      var box = list.shift();
      if (box) { draw(box); setTimeout(next, 0); }
    })();
  }

  function start() {
    var boxes = document.querySelectorAll(".chart-box");
    boxes.forEach(function (box) {
      var paragraph = box.querySelector(".explore");
      var button = paragraph.querySelector("button");
      button.addEventListener("click", function () { explore(box, button); });
      paragraph.hidden = false;
    });
    if (boxes.length && fastConnection() && wideScreen()) {
      // After the images: Plotly must not compete with them for the connection.
      var drawAll = function () { loadPlotly().then(function () { drawEach(boxes); }, function () {}); };
      if (document.readyState === "complete") { drawAll(); } else { window.addEventListener("load", drawAll); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
