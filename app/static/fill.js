// Filling in on a weak connection: an answer that fails to save says so beside its question,
// is sent again until it lands, and is kept in this browser meanwhile, so nothing typed is
// lost even if the page is closed or reloaded before the connection returns.
(function () {
  "use strict";
  var form = document.querySelector("form.step-form[data-response]");
  if (!form || !window.htmx) return;
  var prefix = "htxso:unsaved:" + form.dataset.response + ":";
  var retries = {}; // question code -> {timer, delay}

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fieldsetOf(code) {
    var question = document.getElementById("q-" + code);
    return question ? question.querySelector("fieldset[hx-post]") : null;
  }

  function codeOf(fieldset) {
    var question = fieldset.closest(".question");
    return question ? question.id.slice(2) : null;
  }

  function valuesOf(fieldset) {
    var values = [];
    fieldset.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (!input.name) return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      values.push(input.value);
    });
    return values;
  }

  function keep(fieldset) {
    var code = codeOf(fieldset), store = storage();
    if (code && store) store.setItem(prefix + code, JSON.stringify(valuesOf(fieldset)));
  }

  function forget(code) {
    var store = storage();
    if (store) store.removeItem(prefix + code);
    if (retries[code]) { clearTimeout(retries[code].timer); delete retries[code]; }
  }

  function say(code, message) {
    var status = document.getElementById("status-" + code);
    if (!status) return;
    status.innerHTML = "";
    var span = document.createElement("span");
    span.className = "field-error save-failed";
    span.setAttribute("role", "alert");
    span.textContent = message;
    status.appendChild(span);
  }

  function send(code) {
    var fieldset = fieldsetOf(code);
    if (fieldset) htmx.trigger(fieldset, "change");
  }

  function retryLater(code) {
    var state = retries[code] || { delay: 2000 };
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { send(code); }, state.delay);
    state.delay = Math.min(state.delay * 2, 30000);
    retries[code] = state;
  }

  // What is typed is kept before it is even sent: a closed tab loses nothing.
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest && event.target.closest("fieldset[hx-post]");
    if (fieldset) keep(fieldset);
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var fieldset = event.detail.elt;
    if (fieldset.matches && fieldset.matches("fieldset[hx-post]")) keep(fieldset);
  });

  function failed(event) {
    var fieldset = event.detail.elt;
    if (!fieldset.matches || !fieldset.matches("fieldset[hx-post]")) return;
    var code = codeOf(fieldset);
    if (!code) return;
    var xhr = event.detail.xhr;
    // A refusal the server explained (closed wave, submitted response) is not retried.
    if (xhr && xhr.status >= 400 && xhr.status < 500) { forget(code); return; }
    say(code, navigator.onLine === false ? form.dataset.msgOffline : form.dataset.msgRetrying);
    retryLater(code);
  }
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:timeout", failed);
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.detail.elt;
    if (!fieldset.matches || !fieldset.matches("fieldset[hx-post]")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300 || status === 422) {
      var code = codeOf(fieldset);
      // Typed again while this was on its way: keep the newer text for its own save.
      if (code && JSON.stringify(valuesOf(fieldset)) === (storage() && storage().getItem(prefix + code))) forget(code);
      else if (code && retries[code]) { clearTimeout(retries[code].timer); delete retries[code]; }
    }
  });
  // The connection is back: send at once whatever is waiting.
  window.addEventListener("online", function () {
    Object.keys(retries).forEach(function (code) { send(code); });
  });

  // Coming back to the page: put back what was typed and never saved, and save it now.
  function restore() {
    var store = storage();
    if (!store) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(prefix) !== 0) continue;
      var code = key.slice(prefix.length), fieldset = fieldsetOf(code);
      if (!fieldset) continue;
      var values;
      try { values = JSON.parse(store.getItem(key)); } catch (e) { store.removeItem(key); continue; }
      fieldset.querySelectorAll("input, textarea, select").forEach(function (input) {
        if (!input.name) return;
        if (input.type === "radio" || input.type === "checkbox") input.checked = values.indexOf(input.value) !== -1;
        else input.value = values.length ? values[0] : "";
      });
      say(code, form.dataset.msgRestored);
      send(code);
    }
  }
  // Only once htmx listens on the questions can a save be sent.
  var restored = false;
  htmx.onLoad(function () {
    if (restored) return;
    restored = true;
    restore();
  });
})();
