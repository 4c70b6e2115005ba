// Vigil — progressive enhancement. Vendored alongside: htmx 2.0.11 (web/static/js/htmx.min.js,
// from npm htmx.org@2.0.11, sha256 d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717).
//
// Load on every page with:  <script src="/static/js/vigil.js" defer></script>
// (after htmx.min.js if the page uses htmx; both with `defer`). No dependencies.
// Every page must work without this file: it only improves things.
//
// CSP: no inline scripts or inline handlers exist anywhere, so all behaviour is attached here.
// htmx injects an inline <style> for .htmx-indicator unless told not to, which the CSP would
// block. The reliable way is a meta tag in <head>, read by htmx when it starts:
//   <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
// (allowEval:false keeps htmx from needing 'unsafe-eval'; hx-on and js: values are then off.)
// vigil.css carries the equivalent .htmx-indicator rules. We also set the flag below, which
// works when htmx.min.js is a deferred script listed before this one.
//
// Behaviours (markup contract):
//   html.js                 added at once (html.no-js removed); .js-only elements show only then
//   form[data-confirm]      confirm(message) before the form is submitted
//   button[data-confirm]    confirm(message) on click (also a[data-confirm]); a form is then
//                           not asked a second time for the same submission
//   .error-summary          focused on load (it carries tabindex="-1"); its links move focus
//                           to the field and scroll its label into view (GOV.UK behaviour)
//   [data-autofocus]        focused on load when there is no error summary
//   [data-keep-focus]       (check-in desk) focused on load and again after every htmx swap,
//                           with its text selected, so a scanner can type the next code;
//                           with data-code-alphabet and data-code-length, a badge code is
//                           cleared from it as its request leaves, so the next code can be
//                           scanned before the answer comes (see scanSent)
//   button[data-print]      window.print()  (give such buttons class js-only)
//   htmx requests           header X-CSRF-Token from <meta name="csrf-token" content="…">
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.remove("no-js");
  doc.documentElement.classList.add("js");

  if (window.htmx && window.htmx.config) {
    window.htmx.config.includeIndicatorStyles = false;
  }

  function closestAttr(el, attr) {
    while (el && el.nodeType === 1) {
      if (el.hasAttribute(attr)) return el;
      el = el.parentElement;
    }
    return null;
  }

  function ask(el) {
    var message = el.getAttribute("data-confirm");
    if (!message) message = "Are you sure?";
    return window.confirm(message);
  }

  // Confirmed buttons, so their form's own data-confirm is not asked again.
  var confirmedSubmitter = null;

  // Click: buttons and links with data-confirm; buttons with data-print.
  doc.addEventListener("click", function (event) {
    var target = event.target;

    var printer = closestAttr(target, "data-print");
    if (printer && (printer.tagName === "BUTTON" || printer.tagName === "A")) {
      event.preventDefault();
      window.print();
      return;
    }

    var el = closestAttr(target, "data-confirm");
    if (!el || el.tagName === "FORM") return;
    if (el.tagName !== "BUTTON" && el.tagName !== "A" && el.tagName !== "INPUT") return;
    if (el.disabled) return;
    if (!ask(el)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    confirmedSubmitter = el;
    // Clear after the submit event this click may cause has been dispatched.
    window.setTimeout(function () { confirmedSubmitter = null; }, 0);
  }, true);

  // Submit: forms with data-confirm.
  doc.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM" || !form.hasAttribute("data-confirm")) return;
    var submitter = event.submitter || null;
    if (submitter && submitter === confirmedSubmitter) return;
    if (!ask(form)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Error summary links: focus the field, show its label (or legend) at the top.
  doc.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var input = id && doc.getElementById(id);
    if (!input) return;
    event.preventDefault();
    var anchor = null;
    var fieldset = input.closest("fieldset");
    if (fieldset) {
      var legends = fieldset.getElementsByTagName("legend");
      if (legends.length) anchor = legends[0];
    }
    if (!anchor && input.id) {
      anchor = doc.querySelector("label[for='" + cssEscape(input.id) + "']");
    }
    (anchor || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  function cssEscape(s) {
    if (window.CSS && window.CSS.escape) return window.CSS.escape(s);
    return s.replace(/[^a-zA-Z0-9_-]/g, "\\$&");
  }

  function focusKeep(root) {
    var keep = (root || doc).querySelector("[data-keep-focus]");
    if (!keep && root) keep = doc.querySelector("[data-keep-focus]");
    if (!keep) return false;
    keep.focus();
    // Selected, to be typed over, unless something new was typed in
    // it while the answer was on its way: that stays as it is.
    if (keep.value && keep.value !== keep.getAttribute("data-sent")) {
      keep.setSelectionRange(keep.value.length, keep.value.length);
    } else if (typeof keep.select === "function") {
      keep.select();
    }
    return true;
  }

  // isCode tells a badge code from a name, as the server does
  // (checkin.normalizeCode, looksLikeCode): the part after the last / = ?
  // or # (a scanned URL), without spaces, dashes and tabs, upper case, of
  // the code's length and alphabet.
  function isCode(field, v) {
    var alphabet = field.getAttribute("data-code-alphabet") || "";
    var length = parseInt(field.getAttribute("data-code-length"), 10);
    var cut = Math.max(v.lastIndexOf("/"), v.lastIndexOf("="), v.lastIndexOf("?"), v.lastIndexOf("#"));
    v = v.slice(cut + 1).replace(/[ \t-]/g, "").toUpperCase();
    if (!alphabet || v.length !== length) return false;
    for (var i = 0; i < v.length; i++) {
      if (alphabet.indexOf(v.charAt(i)) < 0) return false;
    }
    return true;
  }

  // scanSent runs as a request leaves. A USB scanner types a code and
  // Enter faster than any person: the next guest's code can come while
  // the last answer is still on its way. htmx then queues the next
  // submission and reads the field only when it sends it, so a code left
  // in the field would be sent again, glued to the next one. A badge code
  // is therefore taken out of the field as its request leaves; a name
  // stays, to be refined.
  function scanSent(event) {
    var form = event.detail && event.detail.elt;
    var keep = form && form.querySelector && form.querySelector("[data-keep-focus][data-code-alphabet]");
    if (!keep || !keep.name) return;
    var sent = event.detail.parameters[keep.name];
    if (typeof sent !== "string") return;
    keep.setAttribute("data-sent", sent);
    if (isCode(keep, sent) && keep.value === sent) {
      keep.value = "";
      keep.setAttribute("data-sent", "");
    }
  }

  function initialFocus(root) {
    var scope = root || doc;
    var summary = scope.querySelector(".error-summary");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
      summary.focus();
      return;
    }
    if (focusKeep(root)) return;
    var auto = scope.querySelector("[data-autofocus]");
    if (auto) auto.focus();
  }

  // Deferred scripts run once the document is parsed, but be safe either way.
  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", function () { initialFocus(null); });
  } else {
    initialFocus(null);
  }

  // htmx: CSRF header on every request; focus management after swaps.
  function csrfToken() {
    var meta = doc.querySelector("meta[name='csrf-token']");
    return meta ? meta.getAttribute("content") : "";
  }

  doc.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
    scanSent(event);
  });

  doc.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target || !target.querySelector) return;
    var summary = target.matches && target.matches(".error-summary") ? target : target.querySelector(".error-summary");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
      summary.focus();
      return;
    }
    if (focusKeep(target)) return;
    var auto = target.querySelector("[data-autofocus]");
    if (auto) auto.focus();
  });
})();
