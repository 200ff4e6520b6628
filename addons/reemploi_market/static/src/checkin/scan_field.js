import { Component, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";

/**
 * The scanner of the operator's screens (check-in, pickup): the phone's
 * camera reads a QR label, or a USB scanner (which types and presses Enter)
 * or the keyboard fills the code field. Each code is handed to ``onScan``.
 * ``prefix`` names the CSS classes of the field, its button and its camera
 * button (``<prefix>_input``, ``<prefix>_add``, ``<prefix>_camera``).
 */
export class ScanField extends Component {
    static template = "reemploi_market.ScanField";
    static props = {
        onScan: Function,
        prefix: String,
        busy: { type: Boolean, optional: true },
    };

    setup() {
        this.notification = useService("notification");
        this.cameraSupported = isBarcodeScannerSupported();
        this.input = useRef("codeInput");
        this.state = useState({ code: "" });
    }

    focus() {
        this.input.el?.focus();
    }

    async submit(code) {
        if (!code.trim() || this.props.busy) {
            return;
        }
        this.state.code = "";
        await this.props.onScan(code);
        this.focus();
    }

    onSubmit(ev) {
        ev.preventDefault();
        this.submit(this.state.code);
    }

    async openCamera() {
        try {
            const code = await scanBarcode(this.env);
            if (code) {
                await this.submit(code);
            }
        } catch (error) {
            this.notification.add(error.message || _t("The camera cannot be used."), {
                type: "warning",
            });
        }
    }
}
