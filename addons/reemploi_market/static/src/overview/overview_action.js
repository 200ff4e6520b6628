import { Component, onMounted, onWillStart, onWillUnmount, status, useRef, useState } from "@odoo/owl";
import { loadBundle, loadCSS, loadJS } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const LEAFLET = "/reemploi_market/static/lib/leaflet/";
// the metropolis, when nothing on the map has coordinates
const CENTER = [45.1885, 5.7245];
// colours of the series, in the order of the server's series
const COLOURS = ["#017e84", "#2e7d32", "#f9a825", "#8d6e63", "#5c6bc0", "#c62828", "#00838f", "#6a1b9a"];
const MARKER_COLOURS = { operator: "#714b67", lot: "#e65100", site: "#017e84" };
const VIEWS = { list: [[false, "list"], [false, "form"]], pivot: [[false, "pivot"], [false, "list"]], form: [[false, "form"]] };

/**
 * The overview of the territory (the coordinator's home) or of an operator
 * (its own company): key figures, a map, charts and tables, each figure
 * opening the records behind it. The figures come from
 * reemploi.overview.get_data(), read with the user's rights.
 */
export class ReemploiOverview extends Component {
    static template = "reemploi_market.Overview";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ data: null, mapUnavailable: false, tilesUnavailable: false });
        this.mapRef = useRef("map");
        this.flowsRef = useRef("flows");
        this.forecastRef = useRef("forecast");
        this.co2Ref = useRef("co2");
        this.charts = [];
        onWillStart(async () => {
            const [data] = await Promise.all([
                this.orm.call("reemploi.overview", "get_data", []),
                loadBundle("web.chartjs_lib"),
            ]);
            this.state.data = data;
        });
        onMounted(() => {
            this.drawCharts();
            this.drawMap();
        });
        onWillUnmount(() => {
            this.charts.forEach((chart) => chart.destroy());
            this.map?.off();
            this.map?.remove();
            this.map = null;
        });
    }

    get data() {
        return this.state.data;
    }

    get isCoordinator() {
        return this.data.scope === "coordinator";
    }

    get title() {
        return this.isCoordinator
            ? _t("Overview of the territory")
            : _t("Overview of %(companies)s", { companies: this.data.companies.join(", ") });
    }

    get hasForecast() {
        return this.data.forecast.series.length > 0;
    }

    formatNumber(value, digits = 0) {
        if (value === null || value === undefined) {
            return "—";
        }
        return value.toLocaleString("fr-FR", { maximumFractionDigits: digits });
    }

    open(action) {
        if (!action) {
            return;
        }
        this.actionService.doAction({
            type: "ir.actions.act_window",
            name: action.name,
            res_model: action.model,
            domain: action.domain,
            views: VIEWS[action.view] || VIEWS.list,
            res_id: action.view === "form" ? action.domain[0][2] : undefined,
            target: "current",
        });
    }

    // ------------------------------------------------------------------
    // Charts
    // ------------------------------------------------------------------
    chart(ref, config, actionsOf) {
        if (!ref.el) {
            return;
        }
        config.options = Object.assign(
            {
                maintainAspectRatio: false,
                responsive: true,
                animation: false,
                locale: "fr-FR",
                plugins: { legend: { position: "bottom" } },
                onClick: (event, elements) => {
                    if (elements.length && actionsOf) {
                        const { datasetIndex, index } = elements[0];
                        this.open(actionsOf(datasetIndex, index));
                    }
                },
                onHover: (event, elements) => {
                    event.native.target.style.cursor = elements.length ? "pointer" : "default";
                },
            },
            config.options || {}
        );
        this.charts.push(new window.Chart(ref.el, config));
    }

    drawCharts() {
        const { flows, forecast, co2 } = this.data;
        this.chart(
            this.flowsRef,
            {
                type: "bar",
                data: {
                    labels: flows.labels,
                    datasets: flows.series.map((serie, index) => ({
                        label: serie.label,
                        data: serie.values,
                        backgroundColor: COLOURS[index],
                    })),
                },
            },
            (dataset, index) => flows.series[dataset].actions[index]
        );
        if (this.hasForecast) {
            this.chart(
                this.forecastRef,
                {
                    type: "bar",
                    data: {
                        labels: forecast.labels,
                        datasets: forecast.series.map((serie, index) => ({
                            label: serie.label,
                            data: serie.values,
                            backgroundColor: COLOURS[index % COLOURS.length],
                        })),
                    },
                    options: { scales: { x: { stacked: true }, y: { stacked: true } } },
                },
                () => forecast.action
            );
        }
        this.chart(
            this.co2Ref,
            {
                type: "line",
                data: {
                    labels: co2.over_time.labels,
                    datasets: [
                        {
                            label: _t("CO2e avoided (kg)"),
                            data: co2.over_time.values,
                            borderColor: COLOURS[1],
                            backgroundColor: COLOURS[1],
                            fill: false,
                            cubicInterpolationMode: "monotone",
                        },
                    ],
                },
            },
            (dataset, index) => co2.over_time.actions[index]
        );
    }

    // ------------------------------------------------------------------
    // Map: Leaflet with the tiles of the directory's setting; without
    // tiles (none set, or they do not load: no network) the points stay on
    // a blank background, with a note; a sentence only without Leaflet
    // ------------------------------------------------------------------
    async drawMap() {
        const { tile_url: tileUrl, tile_attribution: attribution, markers } = this.data.map;
        if (!this.mapRef.el) {
            return;
        }
        try {
            await Promise.all([loadCSS(LEAFLET + "leaflet.css"), loadJS(LEAFLET + "leaflet.js")]);
        } catch {
            this.state.mapUnavailable = true;
            return;
        }
        if (status(this) === "destroyed" || !this.mapRef.el) {
            // the user left the overview while Leaflet was loading
            return;
        }
        const L = window.L;
        // no zoom animation: Leaflet ends one on a map already removed when
        // the user leaves the overview while it runs ("_leaflet_pos" of
        // undefined), and a map of a few dozen points needs none
        const map = L.map(this.mapRef.el, {
            scrollWheelZoom: false,
            zoomAnimation: false,
            fadeAnimation: false,
            markerZoomAnimation: false,
        }).setView(CENTER, 11);
        this.map = map;
        if (tileUrl) {
            const tiles = L.tileLayer(tileUrl, { maxZoom: 18, attribution }).addTo(map);
            let failed = 0;
            tiles.on("tileerror", () => {
                failed += 1;
                if (failed === 4) {
                    this.state.tilesUnavailable = true;
                }
            });
        } else {
            this.state.tilesUnavailable = true;
        }
        const points = [];
        for (const marker of markers) {
            const point = [marker.lat, marker.lon];
            const circle = L.circleMarker(point, {
                radius: marker.kind === "operator" ? 10 : 7,
                color: MARKER_COLOURS[marker.kind],
                fillColor: MARKER_COLOURS[marker.kind],
                fillOpacity: 0.7,
            }).addTo(map);
            // text nodes: names are the organisations' own words
            const popup = document.createElement("div");
            const link = document.createElement("a");
            link.href = "#";
            link.textContent = marker.name;
            link.addEventListener("click", (event) => {
                event.preventDefault();
                this.open(marker.action);
            });
            const detail = document.createElement("div");
            detail.className = "small text-muted";
            detail.textContent = marker.detail;
            popup.append(link, detail);
            circle.bindPopup(popup);
            points.push(point);
        }
        if (points.length > 1) {
            map.fitBounds(points, { padding: [24, 24], maxZoom: 13, animate: false });
        } else if (points.length === 1) {
            map.setView(points[0], 13, { animate: false });
        }
    }
}

registry.category("actions").add("reemploi_overview", ReemploiOverview);
