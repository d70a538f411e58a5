"""The browser side of `serve`: the reload script and the error banner's stylesheet.

Both are served from the server's own origin (/_skpdgen/…) and never inlined, so a page with
a strict Content-Security-Policy (script-src 'self'; style-src 'self') still reloads. They
live here as strings rather than package data files so an installed wheel always has them.

The script reads its settings from its own tag's data attributes, listens on a Server-Sent
Events channel and:
- on "reload", reloads the page (the server then serves the new output, or the error banner);
- on "css", fetches the page again and swaps its stylesheets (theme assets have a content
  hash in their names, so the new page names the new files), without a reload;
- closes the channel while the tab is hidden, so background tabs do not hold one of the
  browser's few connections per host, and on return asks what it missed.
"""

from __future__ import annotations

RELOAD_JS = r"""/* skpdgen serve: reload this page when its sources change. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource || !window.fetch) { return; }
  var token = me.getAttribute("data-token");
  var scope = me.getAttribute("data-scope") || "";
  var since = me.getAttribute("data-generation") || "0";
  var source = null;

  function disconnect() {
    if (source) { source.close(); source = null; }
  }

  function withVersion(href, version) {
    var url = new URL(href, document.baseURI);
    url.searchParams.set("skpdgen-css", version);
    return url.href;
  }

  function restyle(version) {
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html")
          .querySelectorAll('link[rel~="stylesheet"]');
        var old = Array.prototype.slice.call(
          document.querySelectorAll('link[rel~="stylesheet"]'));
        var anchor = old.length ? old[old.length - 1] : null;
        var waiting = fresh.length;
        if (!waiting) { location.reload(); return; }
        var done = function () {
          waiting -= 1;
          if (waiting === 0) { old.forEach(function (link) { link.remove(); }); }
        };
        Array.prototype.forEach.call(fresh, function (link) {
          var added = document.createElement("link");
          added.rel = "stylesheet";
          if (link.media) { added.media = link.media; }
          added.onload = done;
          added.onerror = done;
          added.href = withVersion(link.getAttribute("href"), version);
          if (anchor && anchor.parentNode) {
            anchor.parentNode.insertBefore(added, anchor.nextSibling);
            anchor = added;
          } else {
            document.head.appendChild(added);
          }
        });
        document.documentElement.setAttribute("data-skpdgen-restyled", version);
      })
      .catch(function () { location.reload(); });
  }

  function connect() {
    if (source) { return; }
    source = new EventSource("/_skpdgen/events?token=" + encodeURIComponent(token) +
      "&scope=" + encodeURIComponent(scope) + "&since=" + encodeURIComponent(since));
    source.addEventListener("reload", function () {
      disconnect();
      location.reload();
    });
    source.addEventListener("css", function (event) {
      since = event.lastEventId || since;
      restyle(since);
    });
    source.addEventListener("error", function () {
      /* A refused channel (the server restarted with a new token) is closed for good;
         EventSource retries by itself while the server is only unreachable. */
      if (source && source.readyState === EventSource.CLOSED) { source = null; }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { disconnect(); } else { connect(); }
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () { if (!document.hidden) { connect(); } });
  if (!document.hidden) { connect(); }
})();
"""

BANNER_CSS = """/* skpdgen serve: the build error banner. Uses the theme's variables when present. */
.skpdgen-error{font-family:var(--font,system-ui,sans-serif);background:#fff5f5;color:#1b1b1b;
border-bottom:4px solid #b3261e;padding:1rem 0;line-height:1.5;font-size:1rem}
.skpdgen-error__in{max-width:72rem;margin:0 auto;padding:0 1rem}
.skpdgen-error h2{margin:0 0 .5rem;font-size:1.125rem;color:#8c1d18}
.skpdgen-error p{margin:.25rem 0}
.skpdgen-error ol{margin:.5rem 0;padding-left:1.5rem}
.skpdgen-error li{margin:.5rem 0}
.skpdgen-error code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
font-size:.9375rem;background:#fff;border:1px solid #e8b4b0;border-radius:var(--r,.25rem);
padding:.05rem .35rem;overflow-wrap:anywhere}
.skpdgen-error__msg{font-weight:600}
.skpdgen-error__hint{color:#3d4551}
.skpdgen-error__note{font-size:.875rem;color:#3d4551}
.skpdgen-warnings{font-family:var(--font,system-ui,sans-serif);background:#fffbe6;color:#1b1b1b;
border-bottom:4px solid #8a6100;padding:.75rem 0;line-height:1.5;font-size:1rem}
.skpdgen-warnings__list summary{cursor:pointer;font-weight:600;color:#5c4100}
.skpdgen-warnings ol,.skpdgen-warnings__list ol{margin:.5rem 0;padding-left:1.5rem}
.skpdgen-warnings code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
font-size:.9375rem;overflow-wrap:anywhere}
.skpdgen-warnings p{margin:.25rem 0}
"""
