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
  document.querySelectorAll("#named-queries button").forEach(function (button) {
    button.addEventListener("click", function () {
      var q = queries[Number(button.dataset.query)];
      var tab = yasgui.addTab(true, {
        name: q.name,
        requestConfig: { endpoint: endpoint, method: "POST" },
        yasqe: { value: q.query },
      });
      tab.show();
      var editor = tab.getYasqe();
      if (editor) editor.setValue(q.query);
    });
  });
})();
