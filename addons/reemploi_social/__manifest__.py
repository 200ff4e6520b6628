{
    "name": "Réemploi — Solidarity",
    "summary": "Accredited associations, solidarity prices, quotas, vouchers "
    "and fair allocation",
    "version": "18.0.1.0.0",
    "category": "Inventory/Reuse",
    "website": "https://github.com/reemploi/reemploi",
    "author": "Réemploi contributors",
    "license": "AGPL-3",
    "depends": ["reemploi_market"],
    "data": [
        "security/reemploi_social_groups.xml",
        "security/ir.model.access.csv",
        "security/reemploi_social_security.xml",
        "data/reemploi_need_category_data.xml",
        "data/reemploi_commune_data.xml",
        "data/product_pricelist_data.xml",
        "views/reemploi_association_views.xml",
        "views/website_shop_templates.xml",
        "views/reemploi_social_menus.xml",
    ],
    "demo": [
        "demo/reemploi_social_demo.xml",
    ],
}
