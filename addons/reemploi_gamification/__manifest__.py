{
    "name": "Réemploi — Gamification",
    "summary": "Badges, challenges and leaderboards on collected volume",
    "version": "18.0.1.0.0",
    "category": "Inventory/Reuse",
    "website": "https://github.com/reemploi/reemploi",
    "author": "Réemploi contributors",
    "license": "AGPL-3",
    "depends": ["reemploi_market", "gamification"],
    "data": ["security/ir.model.access.csv"],
}
