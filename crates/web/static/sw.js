// Wangge field service worker, served at /field/sw.js with scope /field: the field screens
// open without a network. Pages are network-first (4 s, then the copy kept here, then a
// short offline page); /static/ assets are cache-first and refreshed in the background.
// /api/ is never touched: the page script must see failures to keep its outbox.
"use strict";

var CACHE = "wangge-field-v2";
var PRECACHE = [
  "/field",
  "/field/visits",
  "/field/patrol",
  "/field/daily",
  "/field/report",
  "/static/app.css",
  "/static/app.js",
  "/static/field.js",
  "/static/icon.svg",
  "/field/manifest.webmanifest",
];
var NAVIGATION_TIMEOUT_MS = 4000;
// Pages kept beyond the pre-cached ones (each household's page, say): the oldest go first.
var MAX_PAGES = 60;

var OFFLINE_PAGE =
  '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  "<title>当前离线 · 网格通</title>" +
  '<link rel="stylesheet" href="/static/app.css">' +
  '<script src="/static/field.js" defer></script></head>' +
  '<body class="field"><main><div class="card offline-page"><h1>当前离线</h1>' +
  "<p>当前离线，已保存的内容会在联网后自动发送。</p>" +
  '<p><a class="button" href="">重试</a> <a href="/field">返回首页</a></p></div>' +
  '<div class="queue-status" hidden></div></main></body></html>';

function noop() {}

// Only whole, direct answers are kept: no redirects (to /login, say), no errors.
function keepable(res) {
  return !!res && res.status === 200 && res.type === "basic" && !res.redirected;
}

function inField(path) {
  return path === "/field" || path.indexOf("/field/") === 0;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PRECACHE.map(function (url) {
        return fetch(url, { credentials: "same-origin", cache: "no-cache" })
          .then(function (res) { if (keepable(res)) return cache.put(url, res); })
          .catch(noop);
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        if (name.indexOf("wangge-field-") === 0 && name !== CACHE) return caches.delete(name);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return;
  if (req.mode === "navigate") {
    if (inField(url.pathname) && url.pathname !== "/field/sw.js") event.respondWith(page(event, url));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/field/manifest.webmanifest") {
    event.respondWith(asset(event));
  }
});

function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503,
    statusText: "Offline",
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function cached(key) {
  return caches.open(CACHE).then(function (cache) { return cache.match(key); }).catch(noop);
}

// Network first; after NAVIGATION_TIMEOUT_MS the kept copy, if there is one (the network
// answer still refreshes it); without a copy the network is awaited; then the offline page.
function page(event, url) {
  var key = url.origin + url.pathname + url.search;
  var network = fetch(event.request).then(function (res) {
    if (!keepable(res)) return res;
    var copy = res.clone();
    return caches.open(CACHE)
      .then(function (cache) { return cache.put(key, copy).then(function () { return trim(cache); }); })
      .catch(noop)
      .then(function () { return res; });
  });
  event.waitUntil(network.catch(noop));
  return new Promise(function (resolve) {
    var answered = false;
    function answer(res) {
      if (!answered && res) { answered = true; resolve(res); }
    }
    var timer = setTimeout(function () {
      cached(key).then(answer);
    }, NAVIGATION_TIMEOUT_MS);
    network.then(function (res) {
      clearTimeout(timer);
      // A proxy's or the server's failure: the kept copy serves better.
      if (res.status >= 500) {
        return cached(key).then(function (copy) { answer(copy || res); });
      }
      answer(res);
    }, function () {
      clearTimeout(timer);
      return cached(key).then(function (copy) { answer(copy || offlinePage()); });
    });
  });
}

function trim(cache) {
  return cache.keys().then(function (requests) {
    var pages = requests.filter(function (r) {
      var path = new URL(r.url).pathname;
      return inField(path) && PRECACHE.indexOf(path + new URL(r.url).search) < 0 &&
        path !== "/field/manifest.webmanifest";
    });
    return Promise.all(pages.slice(0, Math.max(0, pages.length - MAX_PAGES)).map(function (r) {
      return cache.delete(r);
    }));
  });
}

// Cache first, refreshed in the background for the next time.
function asset(event) {
  var req = event.request;
  var refresh = fetch(req).then(function (res) {
    if (!keepable(res)) return res;
    var copy = res.clone();
    return caches.open(CACHE)
      .then(function (cache) { return cache.put(req, copy); })
      .catch(noop)
      .then(function () { return res; });
  });
  event.waitUntil(refresh.catch(noop));
  return cached(req).then(function (copy) { return copy || refresh; });
}
