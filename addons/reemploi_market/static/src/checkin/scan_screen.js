import { Component } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { ScanField } from "./scan_field";

/**
 * What the check-in screen and the driver's round screen share: the code
 * field, the services, the colour of a scan's result and of a line's status,
 * and the link to the record's form. A screen names its record
 * (`recordModel`, and `recordParam`, the action's parameter that holds its
 * id) and its colours.
 */
export class ScanScreen extends Component {
    static props = ["*"];
    static components = { ScanField };
    static recordModel = "";
    static recordParam = "";
    /** result of the last scan -> class of its alert (else alert-danger) */
    static alertClasses = {};
    /** status of a line -> class of its badge (else badgeFallback) */
    static badgeClasses = {};
    static badgeFallback = "text-bg-light";

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        const { params, context } = this.props.action;
        this.recordId = params?.[this.constructor.recordParam] || context?.active_id;
    }

    badgeClass(status) {
        return this.constructor.badgeClasses[status] || this.constructor.badgeFallback;
    }

    get alertClass() {
        return this.constructor.alertClasses[this.state.last?.result] || "alert-danger";
    }

    openRecord() {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: this.constructor.recordModel,
            res_id: this.recordId,
            views: [[false, "form"]],
        });
    }
}
