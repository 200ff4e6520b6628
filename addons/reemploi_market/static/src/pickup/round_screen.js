import { onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { ConnectionLostError, RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ScanScreen } from "../checkin/scan_screen";
import { OfflineQueue } from "./offline_queue";

const ROUND = "reemploi.collection.round";
const PICKUP = "reemploi.lot.pickup";
const RETRY_DELAY = 5000;
const PHOTO_MAX_SIDE = 1280;

/**
 * A collection round on the driver's phone: its stops in order, and at each
 * stop the devices scanned against what the donor declared, the missing
 * ones, photos, and the signature of the donor's representative that
 * validates the pickup. Every change is an operation queued in the browser
 * (see OfflineQueue) and sent in order; without network the screen keeps
 * working and sends them when the connection is back.
 */
export class RoundScreen extends ScanScreen {
    static template = "reemploi_market.RoundScreen";
    static recordModel = ROUND;
    static recordParam = "round_id";
    static alertClasses = {
        scanned: "alert-success",
        duplicate: "alert-info",
        extra: "alert-warning",
        unknown: "alert-warning",
        queued: "alert-secondary",
    };
    static badgeClasses = {
        scanned: "text-bg-success",
        done: "text-bg-success",
        missing: "text-bg-danger",
        extra: "text-bg-warning",
    };
    static badgeFallback = "text-bg-light border";

    setup() {
        super.setup();
        this.queue = new OfflineQueue(`reemploi_pickup_queue_${this.recordId}`);
        this.canvas = useRef("signature");
        this.ink = false;
        this.state = useState({
            round: null,
            stopId: null,
            last: null,
            online: browser.navigator.onLine,
            pending: this.queue.all(),
            signer: "",
            signed: false,
            missingLineId: null,
            missingReason: "",
        });
        this.onOnline = () => {
            this.state.online = true;
            this.flush();
        };
        this.onOffline = () => {
            this.state.online = false;
        };
        onWillStart(() => this.reload());
        onMounted(() => {
            browser.addEventListener("online", this.onOnline);
            browser.addEventListener("offline", this.onOffline);
            this.timer = browser.setInterval(() => this.state.pending.length && this.flush(), RETRY_DELAY);
            this.flush();
        });
        onWillUnmount(() => {
            browser.removeEventListener("online", this.onOnline);
            browser.removeEventListener("offline", this.onOffline);
            browser.clearInterval(this.timer);
        });
    }

    // ------------------------------------------------------------------
    // Data
    // ------------------------------------------------------------------
    async reload() {
        try {
            this.state.round = await this.orm.call(ROUND, "get_pickup_screen", [[this.recordId]]);
            browser.localStorage.setItem(this.cacheKey, JSON.stringify(this.state.round));
        } catch (error) {
            const cached = browser.localStorage.getItem(this.cacheKey);
            if (!(error instanceof ConnectionLostError) || !cached) {
                throw error;
            }
            this.state.online = false;
            this.state.round = JSON.parse(cached);
        }
    }

    get roundDate() {
        return formatDate(deserializeDate(this.state.round.date));
    }

    get cacheKey() {
        return `reemploi_pickup_round_${this.recordId}`;
    }

    get stop() {
        return this.state.round.stops.find((stop) => stop.id === this.state.stopId);
    }

    get isDone() {
        return this.stop?.state === "done";
    }

    get pendingCount() {
        return this.state.pending.length;
    }

    pendingOf(stop) {
        return this.state.pending.filter((operation) => operation.pickupId === stop.id);
    }

    pendingScans(stop) {
        return this.pendingOf(stop).filter((operation) => operation.method === "scan_code");
    }

    validationPending(stop) {
        return this.pendingOf(stop).some((operation) => operation.method === "action_validate_stop");
    }

    setStop(data) {
        const stops = this.state.round.stops;
        const index = stops.findIndex((stop) => stop.id === data.id);
        if (index >= 0) {
            stops[index] = data;
        }
        browser.localStorage.setItem(this.cacheKey, JSON.stringify(this.state.round));
    }

    // ------------------------------------------------------------------
    // The queue
    // ------------------------------------------------------------------
    enqueue(method, args, label = "") {
        try {
            this.queue.push({ pickupId: this.state.stopId, method, args, label });
        } catch {
            this.notification.add(
                _t("The phone's storage is full: this cannot be kept until the connection is back."),
                { type: "danger" }
            );
            return;
        }
        this.state.pending = this.queue.all();
        this.flush();
    }

    async flush() {
        if (this.flushing) {
            return;
        }
        this.flushing = true;
        try {
            while (browser.navigator.onLine) {
                const operation = this.queue.all()[0];
                if (!operation) {
                    break;
                }
                const args = [...operation.args];
                if (operation.method === "scan_code") {
                    args.push(operation.uid);
                }
                let result;
                try {
                    result = await this.orm.silent.call(PICKUP, operation.method, [
                        [operation.pickupId],
                        ...args,
                    ]);
                } catch (error) {
                    if (error instanceof RPCError) {
                        // refused by the server: it will not pass by sending it again
                        this.queue.remove(operation.uid);
                        this.state.last = {
                            result: "refused",
                            message: error.data?.message || error.message,
                        };
                        continue;
                    }
                    this.state.online = false;
                    break;
                } finally {
                    this.state.pending = this.queue.all();
                }
                this.state.online = true;
                this.queue.remove(operation.uid);
                this.state.pending = this.queue.all();
                if (operation.method === "scan_code") {
                    this.state.last = result;
                    this.setStop(result.stop);
                } else {
                    this.setStop(result);
                }
            }
        } finally {
            this.flushing = false;
            this.state.pending = this.queue.all();
            if (!browser.navigator.onLine) {
                this.state.online = false;
            }
        }
    }

    // ------------------------------------------------------------------
    // Navigation
    // ------------------------------------------------------------------
    openStop(stop) {
        this.state.stopId = stop.id;
        this.state.last = null;
        this.state.signer = "";
        this.state.signed = false;
        this.state.missingLineId = null;
        this.ink = false;
    }

    backToStops() {
        this.state.stopId = null;
        this.state.last = null;
    }

    oneLine(text) {
        return (text || "").replace(/\n+/g, ", ");
    }

    mapUrl(stop) {
        const address = this.oneLine(stop.address);
        if (stop.latitude || stop.longitude) {
            return `geo:${stop.latitude},${stop.longitude}?q=${stop.latitude},${stop.longitude}(${encodeURIComponent(stop.donor)})`;
        }
        return `geo:0,0?q=${encodeURIComponent(address)}`;
    }

    webMapUrl(stop) {
        const address = this.oneLine(stop.address);
        return `https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`;
    }

    telUrl(stop) {
        return `tel:${stop.phone.replace(/[^0-9+]/g, "")}`;
    }

    // ------------------------------------------------------------------
    // At the stop
    // ------------------------------------------------------------------
    onScan(code) {
        this.enqueue("scan_code", [code], code);
        if (!this.state.online || !browser.navigator.onLine) {
            this.state.last = {
                result: "queued",
                message: _t("%s kept on the phone: sent when the connection is back.", code),
            };
        }
    }

    changeCount(line, delta) {
        const quantity = Math.max(line.collected + delta, 0);
        line.collected = quantity;
        this.enqueue("set_count", [line.id, quantity]);
    }

    onCountInput(line, ev) {
        const quantity = parseInt(ev.target.value, 10);
        if (!Number.isNaN(quantity) && quantity >= 0) {
            line.collected = quantity;
            this.enqueue("set_count", [line.id, quantity]);
        }
    }

    askMissing(line) {
        this.state.missingLineId = line.id;
        this.state.missingReason = "";
    }

    confirmMissing(line) {
        const reason = this.state.missingReason.trim();
        if (!reason) {
            return;
        }
        line.status = "missing";
        line.missing_reason = reason;
        this.state.missingLineId = null;
        this.enqueue("set_missing", [line.id, reason]);
    }

    removeLine(line) {
        this.enqueue("remove_line", [line.id]);
    }

    async onPhoto(ev) {
        for (const file of ev.target.files) {
            const data = await this.shrink(file);
            this.enqueue("add_photo", [file.name, data], file.name);
        }
        ev.target.value = "";
    }

    /** The photo as a JPEG of at most PHOTO_MAX_SIDE pixels, base64. */
    shrink(file) {
        return new Promise((resolve, reject) => {
            const image = new Image();
            image.onload = () => {
                const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(image.width, image.height));
                const canvas = document.createElement("canvas");
                canvas.width = Math.round(image.width * scale);
                canvas.height = Math.round(image.height * scale);
                canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
                URL.revokeObjectURL(image.src);
                resolve(canvas.toDataURL("image/jpeg", 0.8).split(",")[1]);
            };
            image.onerror = reject;
            image.src = URL.createObjectURL(file);
        });
    }

    // ------------------------------------------------------------------
    // Signature
    // ------------------------------------------------------------------
    point(ev) {
        const canvas = this.canvas.el;
        const box = canvas.getBoundingClientRect();
        return [
            ((ev.clientX - box.left) * canvas.width) / box.width,
            ((ev.clientY - box.top) * canvas.height) / box.height,
        ];
    }

    onPointerDown(ev) {
        ev.preventDefault();
        this.drawing = true;
        const context = this.canvas.el.getContext("2d");
        context.lineWidth = 3;
        context.lineCap = "round";
        context.strokeStyle = "#111";
        context.beginPath();
        context.moveTo(...this.point(ev));
        this.canvas.el.setPointerCapture?.(ev.pointerId);
    }

    onPointerMove(ev) {
        if (!this.drawing) {
            return;
        }
        ev.preventDefault();
        const context = this.canvas.el.getContext("2d");
        context.lineTo(...this.point(ev));
        context.stroke();
        this.ink = true;
    }

    onPointerUp() {
        this.drawing = false;
        this.state.signed = this.ink;
    }

    clearSignature() {
        const canvas = this.canvas.el;
        canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
        this.ink = false;
        this.state.signed = false;
    }

    get canValidate() {
        return this.state.signed && this.state.signer.trim() && !this.validationPending(this.stop);
    }

    validate() {
        if (!this.canValidate) {
            return;
        }
        const reasons = {};
        for (const line of this.stop.lines) {
            if (line.missing_reason) {
                reasons[line.id] = line.missing_reason;
            }
        }
        const signature = this.canvas.el.toDataURL("image/png");
        this.enqueue("action_validate_stop", [
            OfflineQueue.newId(),
            this.state.signer.trim(),
            signature,
            reasons,
        ]);
    }
}

registry.category("actions").add("reemploi_round_pickup", RoundScreen);
