{
    "name": "Réemploi — Market",
    "summary": "Lots declared by donors, collection rounds, matching, "
    "refurbished shop and take-back reports",
    "version": "18.0.1.0.0",
    "category": "Inventory/Reuse",
    "website": "https://github.com/reemploi/reemploi",
    "author": "Réemploi contributors",
    "license": "AGPL-3",
    "depends": ["reemploi_asset", "sale_stock", "website_sale"],
    "external_dependencies": {"python": ["numpy", "ortools"]},
    "data": [
        "security/ir.model.access.csv",
        "security/reemploi_market_security.xml",
        "security/reemploi_webhook_security.xml",
        "data/ir_sequence_data.xml",
        "data/reemploi_webhook_data.xml",
        "views/reemploi_lot_views.xml",
        "views/reemploi_lot_portal_templates.xml",
        "views/reemploi_market_menus.xml",
        "views/reemploi_webhook_views.xml",
        "security/reemploi_match_security.xml",
        "data/reemploi_match_cron.xml",
        "views/reemploi_match_proposal_views.xml",
        "views/reemploi_demand_views.xml",
        "views/res_company_views.xml",
        "views/res_config_settings_matching_views.xml",
    ],
    "demo": [
        "demo/reemploi_market_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
        ],
        "web.assets_tests": [
            "reemploi_market/static/tests/tours/*.js",
        ],
    },
}
