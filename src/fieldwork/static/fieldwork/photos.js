// The job page's photos: a tap on a thumbnail opens the full photo in one shared Bootstrap modal
// (the link's own href; without JavaScript the link opens the photo itself).
(function () {
  "use strict";
  function ready() {
    var modal = document.getElementById("photo-modal");
    if (!modal) return;
    var image = document.getElementById("photo-modal-image");
    var title = document.getElementById("photo-modal-title");
    modal.addEventListener("show.bs.modal", function (event) {
      var link = event.relatedTarget;
      if (!link) return;
      image.src = link.getAttribute("href");
      image.alt = link.dataset.photoName || "";
      title.textContent = link.dataset.photoName || title.textContent;
    });
    modal.addEventListener("hidden.bs.modal", function () {
      image.removeAttribute("src");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
