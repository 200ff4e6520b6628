/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

// The user menu speaks of this product, not of Odoo's: the documentation is
// the suite's guide, and there is no Odoo.com account or Odoo support for
// the territory's users to reach.
const items = registry.category("user_menuitems");
items.remove("odoo_account");
items.remove("support");
items.add(
    "documentation",
    () => ({
        type: "item",
        id: "documentation",
        description: _t("Guide"),
        href: "/guide",
        callback: () => {
            browser.open("/guide", "_blank");
        },
        sequence: 10,
    }),
    { force: true }
);
