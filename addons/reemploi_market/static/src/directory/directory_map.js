/** @odoo-module **/
/* The map of the public directory: Leaflet, loaded on this page only, with
   the tiles the coordinator chose. The list under it works without it: no
   tiles configured, no script, or tiles that do not load leave a sentence
   instead of the map. */
import publicWidget from "@web/legacy/js/public/public_widget";
import { loadCSS, loadJS } from "@web/core/assets";

const LIB = "/reemploi_market/static/lib/leaflet/";
// the metropolis, when no actor has coordinates
const CENTER = [45.1885, 5.7245];

publicWidget.registry.ReemploiDirectoryMap = publicWidget.Widget.extend({
    selector: "#o_reemploi_directory_map",

    async start() {
        await this._super(...arguments);
        const tileUrl = this.el.dataset.tileUrl;
        if (!tileUrl) {
            return;
        }
        try {
            await Promise.all([loadCSS(LIB + "leaflet.css"), loadJS(LIB + "leaflet.js")]);
            const response = await fetch(this.el.dataset.source, {
                headers: { Accept: "application/json" },
            });
            const data = await response.json();
            this._draw(window.L, tileUrl, data.entries);
        } catch {
            this._unavailable();
        }
    },

    _draw(L, tileUrl, entries) {
        const canvas = this.el.querySelector(".o_reemploi_directory_map_canvas");
        this.el.classList.remove("d-none");
        L.Icon.Default.imagePath = LIB + "images/";
        const map = L.map(canvas, { scrollWheelZoom: false }).setView(CENTER, 11);
        const tiles = L.tileLayer(tileUrl, {
            maxZoom: 18,
            attribution: this.el.dataset.tileAttribution || "",
        }).addTo(map);
        let failed = 0;
        tiles.on("tileerror", () => {
            failed += 1;
            if (failed === 4) {
                this._unavailable();
            }
        });
        const points = [];
        for (const entry of entries) {
            if (entry.lat === null || entry.lon === null) {
                continue;
            }
            const marker = L.marker([entry.lat, entry.lon]).addTo(map);
            // text nodes: the names are the actors' own words
            const popup = document.createElement("div");
            const link = document.createElement("a");
            link.href = `#o_reemploi_actor_${entry.id}`;
            link.textContent = entry.name;
            const detail = document.createElement("div");
            detail.className = "small text-muted";
            detail.textContent = [entry.kind_label, entry.city].filter(Boolean).join(" · ");
            popup.append(link, detail);
            marker.bindPopup(popup);
            points.push([entry.lat, entry.lon]);
        }
        if (points.length > 1) {
            map.fitBounds(points, { padding: [24, 24], maxZoom: 13 });
        } else if (points.length === 1) {
            map.setView(points[0], 13);
        }
    },

    _unavailable() {
        this.el.classList.remove("d-none");
        const canvas = this.el.querySelector(".o_reemploi_directory_map_canvas");
        canvas.classList.add("d-none");
        this.el.querySelector(".o_reemploi_directory_map_unavailable").classList.remove("d-none");
    },
});
