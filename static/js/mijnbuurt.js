/* Mijn buurt: address autocomplete (ARIA 1.2 combobox with a listbox), "use my location" and a click on the map.
   The page works without this script: the form submits q and the server answers. */
(function () {
  "use strict";
  var form = document.querySelector("[data-mb-search]");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("mb-suggestions");
  var status = form.querySelector("[data-mb-status]");
  var page = form.dataset.page;
  var api = form.dataset.api;
  var options = [];
  var active = -1;
  var timer = null;
  var controller = null;
  // gettext() comes from the JavaScript catalogue (/jsi18n/); calling it by name lets makemessages find the strings.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (f, a) { return f.replace("%s", a[0]); };

  function go(params) { window.location.href = page + "?" + new URLSearchParams(params).toString(); }

  function close() {
    list.classList.add("d-none");
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function highlight(index) {
    options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(candidates) {
    list.innerHTML = "";
    options = candidates.map(function (c, i) {
      var li = document.createElement("li");
      li.id = "mb-option-" + i;
      li.className = "list-group-item list-group-item-action";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.id = c.id;
      li.textContent = c.label;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); go({ address: c.id }); });
      list.appendChild(li);
      return li;
    });
    var open = options.length > 0;
    list.classList.toggle("d-none", !open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    status.textContent = open ? interpolate(ngettext("%s address found; use the arrow keys to choose.",
                                                          "%s addresses found; use the arrow keys to choose.",
                                                          options.length), [options.length])
                              : gettext("No address found.");
  }

  function interpolate(fmt, args) {
    return window.interpolate ? window.interpolate(fmt, args) : fmt.replace("%s", args[0]);
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 3) { close(); return; }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    fetch(api + "?" + new URLSearchParams({ q: q, limit: 8 }), { signal: controller.signal, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { candidates: [] }; })
      .then(function (data) { show(data.candidates || []); })
      .catch(function () { /* aborted or offline: the form still submits */ });
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 180); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && options.length) { e.preventDefault(); highlight((active + 1) % options.length); }
    else if (e.key === "ArrowUp" && options.length) { e.preventDefault(); highlight(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); go({ address: options[active].dataset.id }); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });

  // The browser's location: only offered when the browser has it; a refusal gets a kind word, not an error.
  var locate = document.querySelector("[data-mb-locate]");
  var locateStatus = document.querySelector("[data-mb-locate-status]");
  if (locate && "geolocation" in navigator) {
    locate.classList.remove("d-none");
    locate.addEventListener("click", function () {
      locateStatus.classList.remove("d-none");
      locateStatus.textContent = gettext("Looking up your location…");
      navigator.geolocation.getCurrentPosition(
        function (pos) { go({ lat: pos.coords.latitude.toFixed(6), lon: pos.coords.longitude.toFixed(6) }); },
        function () {
          locateStatus.textContent = gettext("We could not use your location. No problem: type your address instead.");
          input.focus();
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  document.addEventListener("mb:pick", function (e) {
    go({ lat: e.detail.lat.toFixed(6), lon: e.detail.lng.toFixed(6) });
  });
})();
