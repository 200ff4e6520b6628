/* Service worker of the Réemploi website (served at /reemploi-sw.js).
 *
 * Network first, always: pages are fetched from the server as usual. Only a
 * static offline page is cached, shown when a page of the website cannot be
 * reached; private pages (/my, the cart, the back-office) are never stored.
 */
const CACHE = "reemploi-offline-v1";
const OFFLINE_URL = "/reemploi_market/static/src/pwa/offline.html";

self.addEventListener("install", (event) => {
    event.waitUntil(
        caches
            .open(CACHE)
            .then((cache) => cache.add(OFFLINE_URL))
            .then(() => self.skipWaiting())
    );
});

self.addEventListener("activate", (event) => {
    event.waitUntil(
        caches
            .keys()
            .then((keys) =>
                Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))
            )
            .then(() => self.clients.claim())
    );
});

self.addEventListener("fetch", (event) => {
    const request = event.request;
    if (request.method !== "GET" || request.mode !== "navigate") {
        return; // the browser handles it, as without a service worker
    }
    const path = new URL(request.url).pathname;
    if (path.startsWith("/odoo") || path.startsWith("/web")) {
        return; // the back-office is left alone
    }
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
});
