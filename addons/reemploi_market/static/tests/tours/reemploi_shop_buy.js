/** @odoo-module **/

import { registry } from "@web/core/registry";

// A buyer filters the refurbished shop by grade, opens a product, picks one
// device by its serial number, adds it to the cart and reaches the checkout.
registry.category("web_tour.tours").add("reemploi_shop_buy", {
    url: "/shop",
    steps: () => [
        {
            content: "Filter the catalogue by the first grade",
            trigger: "select#o_reemploi_grade",
            run: "selectByIndex 1",
        },
        {
            content: "Apply the filters",
            trigger: "button.o_reemploi_filter_submit",
            run: "click",
        },
        {
            content: "Only the products of that grade are listed",
            trigger: ".o_wsale_products_page:not(:has(a:contains('TOUR-B')))",
        },
        {
            content: "Open the product of that grade",
            trigger: ".oe_product a:contains('TOUR-A')",
            run: "click",
        },
        {
            content: "The grade, warranty and CO2 avoided are shown",
            trigger: ".o_reemploi_product_info .o_reemploi_co2",
        },
        {
            content: "Pick the device by its serial number",
            trigger: "button.o_reemploi_add_unit[data-serial='SHOP-TOUR-2']",
            run: "click",
        },
        {
            content: "The cart holds that very device",
            trigger: ".o_reemploi_cart_serial:contains('SHOP-TOUR-2')",
        },
        {
            content: "Go to checkout",
            trigger: 'a[href^="/shop/checkout"]',
            run: "click",
        },
        {
            content: "The checkout page is reached",
            trigger: "#shop_checkout",
        },
    ],
});
