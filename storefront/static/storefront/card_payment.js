// The card page: Stripe.js's Payment Element with the PaymentIntent's client secret. On submit
// Stripe confirms the payment (3-D Secure included) and sends the buyer back to return_url.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#card-element");
  var button = document.getElementById("card-submit");
  var errors = document.getElementById("card-errors");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } }).then(function (result) {
      // Only reached when Stripe could not confirm (a declined card, a typo): say why.
      if (result.error) { errors.textContent = result.error.message; }
      button.disabled = false;
    });
  });
})();
