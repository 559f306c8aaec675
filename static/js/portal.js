// Small behaviours of the portal's pages, kept in a file so the Content-Security-Policy needs no
// inline script: [data-print] prints the page, [data-back] returns to the previous page.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print], [data-back]");
  if (!target) {
    return;
  }
  if (target.hasAttribute("data-print")) {
    event.preventDefault();
    window.print();
  } else if (window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
