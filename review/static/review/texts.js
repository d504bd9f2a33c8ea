// The Texts area's preview, kept up to date while the Secretariat types: the same
// POST as the "Preview" button (nothing is saved), after a pause in typing; only the
// previews of the page are replaced. Without script the button does the same.
(function () {
  "use strict";
  var form = document.getElementById("text-form");
  if (!form || !window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var data = new FormData(form);
    data.set("preview", "1");
    fetch(window.location.pathname, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (asked !== latest) {
          return; // a newer preview is on its way
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        form.querySelectorAll("[data-language]").forEach(function (column) {
          var language = column.getAttribute("data-language");
          var shown = column.querySelector(".text-preview");
          var fresh = page.querySelector('[data-language="' + language + '"] .text-preview');
          if (shown && fresh && fresh.children.length) {
            shown.replaceWith(document.importNode(fresh, true));
          } else if (shown) {
            var note = column.getAttribute("data-not-previewed");
            shown.textContent = "";
            var line = document.createElement("p");
            line.className = "help";
            line.textContent = note;
            shown.appendChild(line);
          }
        });
      })
      .catch(function () { /* the Preview button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
