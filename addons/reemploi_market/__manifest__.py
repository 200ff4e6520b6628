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
    "data": ["security/ir.model.access.csv"],
}
