{
    "name": "Réemploi — Gamification",
    "summary": "Badges, challenges and leaderboards on collected volume",
    "version": "18.0.1.0.0",
    "category": "Inventory/Reuse",
    "website": "https://github.com/reemploi/reemploi",
    "author": "Réemploi contributors",
    "license": "AGPL-3",
    "depends": ["reemploi_market", "gamification"],
    "data": [
        "security/ir.model.access.csv",
        "security/reemploi_gamification_security.xml",
        "data/gamification_goal_definition_data.xml",
        "data/gamification_badge_data.xml",
        "views/gamification_challenge_views.xml",
        "views/res_partner_views.xml",
        "views/reemploi_challenge_templates.xml",
        "views/reemploi_gamification_portal_templates.xml",
        "views/reemploi_gamification_menus.xml",
        "views/website_templates.xml",
    ],
    "demo": ["demo/reemploi_gamification_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "reemploi_gamification/static/tests/tours/*.js",
        ],
    },
}
