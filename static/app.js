// Small behaviours htmx leaves to the page; no inline script, no eval (CSP-friendly).
(function () {
  "use strict";

  // Wide screens show the filters open; phones start with them folded.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(min-width: 721px)").matches) {
      document.querySelectorAll("details.filter-more").forEach(function (d) { d.open = true; });
    }
  });

  // A «select all» box ticks every box its data-select-all selector names.
  document.addEventListener("change", function (event) {
    var selector = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!selector) return;
    document.querySelectorAll(selector).forEach(function (box) { box.checked = event.target.checked; });
  });

  // Escape in a row being edited restores the row, as «Hủy» does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest(".report-form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel && window.htmx) {
      event.preventDefault();
      htmx.ajax("GET", cancel.getAttribute("hx-get"), {target: form.closest("tr"), swap: "outerHTML"});
    }
  });

  // After a row is swapped back, keep the keyboard where the user was.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("report-row")) return;
    var row = document.getElementById(target.id) || target;
    var focusable = row.querySelector("[autofocus]") || row.querySelector(".cell-actions .button") ||
      row.querySelector("button, a");
    if (focusable) focusable.focus();
  });
})();
