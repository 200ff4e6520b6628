/** @odoo-module **/
/* The grading bench: one field that a hand scanner types into (it ends
   with Enter), or a technician. The label's QR address, the serial number
   or the asset tag opens the device's new grading
   (reemploi.equipment.action_bench_scan); what does not answer is said
   under the field, which keeps the focus for the next scan. */
import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

export class BenchScan extends Component {
    static template = "reemploi_asset.BenchScan";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.input = useRef("code");
        // the device the bench just put on sale (reemploi_market's button)
        const done = this.props.action?.params?.done || "";
        this.state = useState({ code: "", error: "", done, busy: false });
        onMounted(() => this.input.el?.focus());
    }

    async onSubmit(ev) {
        ev.preventDefault();
        const code = this.state.code.trim();
        if (!code || this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        this.state.done = "";
        try {
            const action = await this.orm.call("reemploi.equipment", "action_bench_scan", [code]);
            await this.action.doAction(action);
        } catch (error) {
            if (!error?.data?.message) {
                throw error;
            }
            this.state.error = error.data.message;
            this.state.code = "";
            this.input.el?.focus();
        } finally {
            this.state.busy = false;
        }
    }
}

registry.category("actions").add("reemploi_bench_scan", BenchScan);
