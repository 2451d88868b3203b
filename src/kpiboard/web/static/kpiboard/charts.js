// Draws each chart whose Vega-Lite spec is on the page (an element with data-vega-spec names
// the <script type="application/json"> holding it): the same spec the report packs draw as SVG.
// Nothing is fetched: the data are in the spec, and Vega, Vega-Lite and vega-embed are vendored.
(function () {
  "use strict";
  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-vega-spec"));
    if (!source || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    // The site's Content-Security-Policy allows no eval and no inline styles: the expressions
    // are interpreted from their syntax tree (ast), and the styles vega-embed and its tooltip
    // would inject are in dashboards.css instead.
    var options = {
      actions: false,
      renderer: "svg",
      ast: true,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true }
    };
    window.vegaEmbed(box, spec, options).catch(function (error) {
      box.textContent = "The chart could not be drawn: " + error.message + ". Its figures are in the table.";
    });
  }
  document.querySelectorAll("[data-vega-spec]").forEach(draw);
})();
