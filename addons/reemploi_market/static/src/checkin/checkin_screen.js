import { onMounted, onWillStart, useState } from "@odoo/owl";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ScanScreen } from "./scan_screen";

const MODEL = "reemploi.lot.checkin";

/**
 * Check-in of a collected lot, made for a phone: scan the QR labels with the
 * camera, or let a USB scanner (which types and presses Enter) or the
 * keyboard fill the code field. Each scan is matched on the server against
 * what the donor declared.
 */
export class CheckinScreen extends ScanScreen {
    static template = "reemploi_market.CheckinScreen";
    static recordModel = MODEL;
    static recordParam = "checkin_id";
    static alertClasses = {
        received: "alert-success",
        duplicate: "alert-info",
        extra: "alert-warning",
    };
    static badgeClasses = {
        received: "text-bg-success",
        missing: "text-bg-danger",
        partial: "text-bg-warning",
        extra: "text-bg-warning",
        unknown: "text-bg-secondary",
    };

    setup() {
        super.setup();
        this.dialog = useService("dialog");
        this.state = useState({ screen: null, last: null, busy: false });
        onWillStart(() => this.reload());
        onMounted(() => this.focusInput());
    }

    get screen() {
        return this.state.screen;
    }

    get isDone() {
        return this.screen.state === "done";
    }

    focusInput() {
        document.querySelector(".o_reemploi_checkin_input")?.focus();
    }

    async reload() {
        this.state.screen = await this.orm.call(MODEL, "get_screen_data", [[this.recordId]]);
    }

    async call(method, args) {
        this.state.busy = true;
        try {
            return await this.orm.call(MODEL, method, [[this.recordId], ...args]);
        } finally {
            this.state.busy = false;
            this.focusInput();
        }
    }

    async submit(code) {
        const result = await this.call("scan_code", [code]);
        this.state.last = result;
        this.state.screen = result.screen;
    }

    async changeCount(line, delta) {
        this.state.screen = await this.call("set_line_count", [line.id, line.received + delta]);
    }

    async onCountInput(line, ev) {
        const quantity = parseInt(ev.target.value, 10);
        if (!Number.isNaN(quantity) && quantity >= 0) {
            this.state.screen = await this.call("set_line_count", [line.id, quantity]);
        }
    }

    async register(line, ev) {
        const categoryId = parseInt(ev.target.value, 10);
        if (categoryId) {
            this.state.screen = await this.call("register_line", [line.id, categoryId]);
        }
    }

    async remove(line) {
        this.state.screen = await this.call("remove_line", [line.id]);
        this.state.last = null;
    }

    validate() {
        this.dialog.add(ConfirmationDialog, {
            body: _t(
                "Validate? Devices not scanned are marked missing and what was collected is frozen."
            ),
            confirm: async () => {
                await this.call("action_validate", []);
                this.state.last = null;
                await this.reload();
            },
            cancel: () => {},
        });
    }
}

registry.category("actions").add("reemploi_lot_checkin", CheckinScreen);
