/* The search page: a small UI in the theme's own markup over Pagefind's JS API.
   The bundle is this site's own <root>pagefind/ (same origin; its WebAssembly needs only
   'wasm-unsafe-eval' in script-src). On the portal, every agency's bundle named by the agency
   filter's options is merged into the portal's (Pagefind's mergeIndex), so one query searches
   every agency. ?q=, ?bagian= (section) and ?opd= (agency) pre-fill the page and are kept in
   the address, so a result list can be shared and Back returns to it. Nothing is fetched until
   the reader types or arrives with a query. */
(function () {
  "use strict";
  var root = document.querySelector("[data-search]");
  if (!root || !window.URL || !window.Promise) return;
  var form = root.querySelector("[data-search-form]");
  var input = root.querySelector("#search-q");
  var status = root.querySelector("[data-search-status]");
  var box = root.querySelector("[data-search-results]");
  var list = box.appendChild(document.createElement("ol"));
  var moreBox = root.querySelector(".search__more");
  var moreButton = root.querySelector("[data-search-more]");
  var filterBox = root.querySelector("[data-search-filters]");
  var sectionSelect = root.querySelector("[data-search-filter=section]");
  var agencySelect = root.querySelector("[data-search-agencies]");
  var selects = Array.prototype.slice.call(root.querySelectorAll("[data-search-filter]"));
  var t = root.dataset;
  var PAGE = 10;
  var PARAMS = {section: "bagian", agency: "opd"};
  var loading = null;
  var results = [];
  var shown = 0;
  var query = "";
  var seq = 0;
  var timer = 0;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function bundleUrl(path) {
    return new URL(path, document.baseURI);
  }

  /* Pagefind's module, loaded once from the page's own bundle. noWorker: the page's thread is
     fast enough for these small indexes, and a worker would download Pagefind's code a second
     time (pagefind-worker.js is not published). */
  var SETTINGS = {excerptLength: 24, noWorker: true};
  var module = null;
  var instances = {};

  function pagefindModule() {
    if (!module) {
      module = import(bundleUrl(t.bundle + "pagefind.js").href).then(function (pagefind) {
        return pagefind.options(SETTINGS).then(function () { return pagefind; });
      });
    }
    return module;
  }

  /* What to search for an agency filter value ("" = every agency). On an agency's site: its
     own index. On the portal: the portal's index (the agencies themselves, and the WASM every
     merged index uses) with either every agency's index merged or only the chosen one's, so
     that a search within one agency downloads only that agency's index chunks. */
  function load(agency) {
    agency = agencySelect ? agency || "" : "";
    if (instances[agency]) return instances[agency];
    instances[agency] = pagefindModule().then(function (pagefind) {
      if (!agencySelect) return pagefind;
      var instance = pagefind.createInstance(
        Object.assign({basePath: bundleUrl(t.bundle).pathname}, SETTINGS));
      // the portal's index lists (filter "bundle") the agencies that have an index: merging
      // a missing one (its first build failed) would stop the whole search
      return instance.filters().then(function (filters) {
        var ready = (filters && filters.bundle) || {};
        var merges = [];
        Array.prototype.forEach.call(agencySelect.options, function (option) {
          if (!option.dataset.bundle || !(option.dataset.slug in ready)) return;
          if (agency && option.value !== agency) return;
          var options = option.dataset.base ? {baseUrl: option.dataset.base} : {};
          merges.push(instance.mergeIndex(bundleUrl(option.dataset.bundle).pathname, options));
        });
        return Promise.all(merges);
      }).then(function () { return instance; });
    }).then(function (instance) {
      return instance.filters().then(function (filters) {
        addSections(filters && filters.section);
        filterBox.hidden = false;
        return instance;
      });
    });
    return instances[agency];
  }

  function addSections(counts) {
    if (!counts) return;
    var known = Array.prototype.map.call(sectionSelect.options, function (o) { return o.value; });
    Object.keys(counts).sort().forEach(function (name) {
      if (known.indexOf(name) >= 0) return;
      var option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      sectionSelect.appendChild(option);
    });
    var wanted = new URLSearchParams(location.search).get(PARAMS.section);
    if (wanted) sectionSelect.value = wanted;
  }

  function chosenFilters() {
    var filters = {};
    selects.forEach(function (select) {
      if (select.value) filters[select.dataset.searchFilter] = select.value;
    });
    return filters;
  }

  function remember() {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    selects.forEach(function (select) {
      var name = PARAMS[select.dataset.searchFilter];
      if (select.value && name) params.set(name, select.value);
    });
    var search = params.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  function run() {
    clearTimeout(timer);
    var mine = ++seq;
    query = input.value.trim();
    remember();
    if (!query) {
      results = [];
      list.textContent = "";
      box.hidden = true;
      moreBox.hidden = true;
      say("");
      return;
    }
    say(t.tSearching);
    var filters = chosenFilters();
    load(filters.agency).then(function (pagefind) {
      return pagefind.search(query, {filters: filters});
    }).then(function (found) {
      if (mine !== seq || !found) return null;
      results = found.results;
      shown = 0;
      list.textContent = "";
      box.hidden = results.length === 0;
      return showMore().then(function () {
        if (mine !== seq) return;
        say(results.length === 0 ? fill(t.tNone, {query: query})
          : fill(results.length === 1 ? t.tResultsOne : t.tResults,
                 {count: results.length, query: query}));
      });
    }).catch(function (error) {
      if (mine !== seq) return;
      say(t.tFailed);
      if (window.console) console.warn("search:", error);
    });
  }

  function showMore() {
    var batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      var first = null;
      items.forEach(function (data) {
        var item = render(data);
        first = first || item;
        list.appendChild(item);
      });
      moreBox.hidden = shown >= results.length;
      return first;
    });
  }

  function render(data) {
    var meta = data.meta || {};
    var item = document.createElement("li");
    item.className = "search__result";
    var heading = document.createElement("h2");
    heading.className = "search__title";
    var link = document.createElement("a");
    link.href = meta.link || data.url;
    link.textContent = meta.title || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var about = [agencySelect ? meta.agency : null, meta.section, meta.date].filter(Boolean);
    if (about.length) {
      var line = document.createElement("p");
      line.className = "search__meta";
      line.textContent = about.join(" · ");
      item.appendChild(line);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "search__excerpt";
    appendExcerpt(excerpt, data.excerpt || "");
    item.appendChild(excerpt);
    return item;
  }

  /* Pagefind's excerpt is text with <mark> around the matches: keep the text and the marks,
     nothing else (parsed in an inert document, never as live HTML). */
  function appendExcerpt(target, html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    Array.prototype.forEach.call(doc.body.firstChild.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      } else {
        target.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  input.addEventListener("focus", function () {
    load(chosenFilters().agency).catch(function () {});
  });
  selects.forEach(function (select) { select.addEventListener("change", run); });
  moreButton.addEventListener("click", function () {
    showMore().then(function (first) {
      var link = first && first.querySelector("a");
      if (link) link.focus();
    });
  });

  var params = new URLSearchParams(location.search);
  if (agencySelect && params.get(PARAMS.agency)) agencySelect.value = params.get(PARAMS.agency);
  if (params.get("q")) {
    input.value = params.get("q");
    load(chosenFilters().agency).then(run, function () { say(t.tFailed); });
  }
})();
