/* Old WordPress links with a query (?p=123, ?page_id=5) reach the home or 404 page of a static
   site, which cannot answer them on the server: this sends them on to the new page. Loaded only
   when the agency has such aliases (old-urls.json). */
(function () {
  "use strict";
  var script = document.currentScript;
  var query = /^\?([a-z_]{1,20})=([A-Za-z0-9_-]{1,64})$/.exec(location.search);
  if (!script || !query || !window.fetch) { return; }
  var base = new URL(script.getAttribute("data-base"), location.href);
  var path = location.pathname.indexOf(base.pathname) === 0
    ? location.pathname.slice(base.pathname.length) : location.pathname.replace(/^\//, "");
  // WordPress answers /index.php?p=1 (and most other paths) as it answers /?p=1
  var bare = "?" + query[1] + "=" + query[2];
  var key = path.replace(/\/+$/, "").replace(/(^|\/)index\.php$/, "") + bare;
  fetch(script.getAttribute("data-map"), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (map) {
      var own = Object.prototype.hasOwnProperty;
      var target = own.call(map, key) ? map[key] : own.call(map, bare) ? map[bare] : null;
      if (typeof target === "string" && /^[A-Za-z0-9._~%+\/-]*$/.test(target)) {
        location.replace(new URL(target, base).href);
      }
    })
    .catch(function () { /* stay on this page */ });
})();
