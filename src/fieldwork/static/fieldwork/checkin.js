// Check-in: add the phone's position when the browser can give it quickly; check in without it otherwise.
(function () {
  "use strict";
  if (!navigator.geolocation || !window.isSecureContext) return;
  navigator.geolocation.getCurrentPosition(function (position) {
    document.getElementById("check-in-lat").value = position.coords.latitude.toFixed(6);
    document.getElementById("check-in-lon").value = position.coords.longitude.toFixed(6);
  }, function () {}, { timeout: 5000, maximumAge: 60000 });
})();
