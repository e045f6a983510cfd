// Administration pages: a print button (inline handlers are forbidden by the CSP).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
