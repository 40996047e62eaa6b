// Cart page: a changed quantity updates the cart by itself (after a short pause, so that a few
// clicks on the arrows make one update). Without JavaScript the "Update" buttons do the same.
(function () {
  "use strict";
  var form = document.querySelector("form.cart-form");
  if (!form || !form.requestSubmit) { return; }
  var timer = null;
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-autosubmit]")) { return; }
    if (!/^\d+$/.test(input.value.trim())) { return; } // the server explains anything else
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { form.requestSubmit(); }, 600);
  });
}());
