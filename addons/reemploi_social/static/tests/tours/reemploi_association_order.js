/** @odoo-module **/

import { registry } from "@web/core/registry";

// An association's user sees its solidarity prices and what is left of its
// quota, picks a refurbished laptop, redeems a referral voucher in the cart
// (the laptop then leaves the quota) and orders on invoice.
registry.category("web_tour.tours").add("reemploi_association_order", {
    url: "/shop?search=TOUR-S",
    steps: () => [
        {
            content: "The shop shows the association's solidarity conditions",
            trigger: ".o_reemploi_solidarity h2:contains('Association A')",
        },
        {
            content: "Two laptops are left in the quota",
            trigger: ".o_reemploi_quotas .o_reemploi_quota_left:contains('2')",
        },
        {
            content: "The laptop ceiling is shown",
            trigger: ".o_reemploi_ceilings li:contains('150')",
        },
        {
            content: "Open the refurbished laptop",
            trigger: ".oe_product a:contains('TOUR-S')",
            run: "click",
        },
        {
            content: "The solidarity price applies",
            trigger: ".oe_price:contains('150')",
        },
        {
            content: "Pick the device by its serial number",
            trigger: "button.o_reemploi_add_unit[data-serial='SOL-TOUR-1']",
            run: "click",
        },
        {
            content: "The cart holds that device and counts it against the quota",
            trigger: ".o_reemploi_quotas li:contains('1 in your cart')",
        },
        {
            content: "Type the referral voucher",
            trigger: "input#reemploi_voucher_code",
            run: "edit k7qf 2m9x pq",
        },
        {
            content: "Apply it",
            trigger: "form.o_reemploi_voucher_form button[type='submit']",
            run: "click",
        },
        {
            content: "The voucher is attached to the laptop",
            trigger: ".o_reemploi_cart_vouchers li:contains('K7QF-2M9X-PQ')",
        },
        {
            content: "The voucher's laptop leaves the quota",
            trigger: ".o_reemploi_quotas .o_reemploi_quota_voucher:contains('1')",
        },
        {
            content: "Order at solidarity prices, on invoice",
            trigger: "form.o_reemploi_solidarity_confirm button[type='submit']",
            run: "click",
        },
        {
            content: "The confirmed order is shown on the portal",
            trigger: "#portal_sale_content",
        },
    ],
});
