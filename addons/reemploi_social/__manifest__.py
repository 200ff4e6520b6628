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
    "data": ["security/ir.model.access.csv"],
}
