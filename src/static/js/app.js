/* Behaviour the templates ask for with data attributes, for every page (base.html, the print pages).
 *
 * The Content-Security-Policy (core.middleware) allows scripts from this site only: no inline
 * <script>, no on*= attributes. A template marks the element (data-print, data-autosubmit, …) and
 * the delegated listeners below act on it, so content that htmx swaps in later works too.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var el;
    if ((el = target.closest("[data-print]"))) {
      window.print();
    } else if ((el = target.closest("[data-copy-text]"))) {
      // The portal's "copy number": the label says "copied" once the clipboard took it.
      var button = el;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(button.dataset.copyText).then(function () {
          if (button.dataset.copied) { button.textContent = button.dataset.copied; }
        });
      }
    } else if ((el = target.closest("[data-disable-on-submit]"))) {
      // After the click went through (the form is being sent): no second request from a double tap.
      var submit = el;
      setTimeout(function () { submit.disabled = true; }, 0);
    } else if ((el = target.closest("[data-new-customer-from-search]"))) {
      // Intake: "new customer" from a search that found nobody; the query fills the phone or the name.
      var query = el.dataset.query || "";
      var isPhone = /^[0-9+\-\s]{5,}$/.test(query);
      var box = document.getElementById("id_new_customer");
      if (box && !box.checked) { box.click(); }
      var filled = document.getElementById(isPhone ? "id_new_customer_phone" : "id_new_customer_name");
      var next = document.getElementById(isPhone ? "id_new_customer_name" : "id_new_customer_phone");
      if (filled) { filled.value = query; }
      if (next) { next.focus(); }
    } else if ((el = target.closest("[data-existing-customer]"))) {
      // Intake: a customer on file was chosen, so the "new customer" part closes.
      var newBox = document.getElementById("id_new_customer");
      if (newBox && newBox.checked) { newBox.click(); }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    } else if (target.matches("[data-select-all]")) {
      var checked = target.checked;
      document.querySelectorAll(target.dataset.selectAll).forEach(function (box) { box.checked = checked; });
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    // A search box inside a bigger form: Enter searches (htmx), it does not send the form.
    if (target && event.key === "Enter" && target.matches("[data-no-enter-submit]")) {
      event.preventDefault();
    }
  });
})();
