/** @odoo-module **/

// Registers the website's service worker (see service_worker.js): the
// website can then be installed on a phone's home screen.
if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", () => {
        navigator.serviceWorker.register("/reemploi-sw.js", { scope: "/" }).catch(() => {
            // not installable (private window, blocked): the website works as before
        });
    });
}
