// Shows the chosen picture before it is uploaded. Without JS the form still works.
(function () {
  "use strict";
  var input = document.getElementById("id_picture");
  var preview = document.getElementById("picture-preview");
  if (!input || !preview) return;
  var initials = document.getElementById("picture-initials");
  var objectUrl = null;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    if (!file || !/^image\//.test(file.type)) return;
    objectUrl = URL.createObjectURL(file);
    preview.src = objectUrl;
    preview.alt = "Preview of the picture you chose";
    preview.classList.remove("d-none");
    if (initials) initials.classList.add("d-none");
  });
})();
