/* The device form's customer picker: a click on a found customer (customers:lookup, swapped in by
 * htmx) sets the hidden customer field and shows the choice. A file, not an inline script: the
 * Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";
  var options = document.getElementById("customer-options");
  if (!options) { return; }
  options.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-customer-id]") : null;
    if (!button) { return; }
    document.getElementById("id_customer").value = button.dataset.customerId;
    var chosen = document.getElementById("customer-chosen");
    chosen.textContent = button.dataset.customerLabel;
    chosen.classList.remove("text-danger");
    document.getElementById("customer-q").value = "";
    options.innerHTML = "";
  });
})();
