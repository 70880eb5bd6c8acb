// Sets up YASGUI on /editor: local endpoint only, nothing fetched from elsewhere.
(function () {
  "use strict";
  var endpoint = window.location.origin + "/sparql";
  var queries = JSON.parse(document.getElementById("named-query-data").textContent);
  var start = JSON.parse(document.getElementById("start-query").textContent);
  var Yasqe = Yasgui.Yasqe;
  // Keep the offline autocompleters only (the others ask Linked Open Vocabularies).
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name === "prefixes" || name === "variables";
  });
  Yasqe.defaults.prefixCcApi = null;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    corsProxy: undefined,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: start },
  });
  window.nelmkgYasgui = yasgui;
  // Keyboard: Tab and Shift-Tab leave the editor (indent with Ctrl-] / Ctrl-[), so the editor
  // never traps focus (WCAG 2.1.2).
  function release(tab) {
    var editor = tab && tab.getYasqe && tab.getYasqe();
    if (editor && !editor.nelmkgReleased) {
      var keys = Object.assign({}, editor.getOption("extraKeys") || {});
      keys.Tab = false;  // false: CodeMirror leaves the key to the browser
      keys["Shift-Tab"] = false;
      editor.setOption("extraKeys", keys);
      editor.nelmkgReleased = true;
    }
  }
  release(yasgui.getTab());
  yasgui.on("tabChange", function (instance, tabId) { release(yasgui.getTab(tabId)); });
  yasgui.on("tabAdd", function (instance, tabId) { release(yasgui.getTab(tabId)); });
  // Result IRIs of this graph open its own pages (/id/...), not the w3id redirect.
  var base = "https://w3id.org/nelmkg/id/";
  function localise(root) {
    root.querySelectorAll('a[href^="' + base + '"]').forEach(function (a) {
      a.setAttribute("href", "/id/" + a.getAttribute("href").slice(base.length));
      a.removeAttribute("target");
    });
  }
  // YASGUI's own markup, made accessible: names for its inputs, and the "add tab" button moved out of the tab list (a tablist holds tabs only).
  function tidy(root) {
    root.querySelectorAll(".CodeMirror textarea:not([aria-label]), .CodeMirror [contenteditable]:not([aria-label])").forEach(function (t) {
      t.setAttribute("aria-label", "SPARQL query");
    });
    // The query text scrolls in CodeMirror's scroller, whose only input (the textarea) sits
    // outside it; keyboard users reach it as one more Tab stop, named, where the arrow keys
    // scroll (axe: scrollable-region-focusable). Tab still moves on: nothing here takes focus.
    root.querySelectorAll(".CodeMirror-scroll:not([role=region])").forEach(function (s) {
      s.setAttribute("tabindex", "0");
      s.setAttribute("role", "region");
      s.setAttribute("aria-label", "SPARQL query, scrollable: arrow keys scroll, Tab moves on");
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (i) {
      i.setAttribute("aria-label", "SPARQL endpoint");
    });
    root.querySelectorAll('[role="tablist"] > :not([role="tab"]):not([role="presentation"])').forEach(function (el) {
      el.setAttribute("role", "presentation");
    });
    root.querySelectorAll('[role="tablist"] button:not([role])').forEach(function (b) {
      var list = b.closest('[role="tablist"]');
      list.parentNode.insertBefore(b, list.nextSibling);
    });
  }
  tidy(document.getElementById("yasgui"));
  new MutationObserver(function () {
    var root = document.getElementById("yasgui");
    localise(root);
    tidy(root);
  })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  document.querySelectorAll("#named-queries button").forEach(function (button) {
    button.addEventListener("click", function () {
      var q = queries[Number(button.dataset.query)];
      var tab = yasgui.addTab(true, {
        name: q.name,
        requestConfig: { endpoint: endpoint, method: "POST" },
        yasqe: { value: q.query },
      });
      tab.show();
      release(tab);
      var editor = tab.getYasqe();
      if (editor) editor.setValue(q.query);
    });
  });
})();
