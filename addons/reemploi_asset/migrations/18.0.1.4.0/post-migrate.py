"""Décret 2022-190 (the words "reconditionné" and "produit reconditionné")
forbids calling a reconditioned product "like new" ("comme neuf"):
grade A, "Like new" until now, becomes "Excellent condition". The grades are
loaded once (noupdate): rename it where nobody renamed it yet."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE reemploi_grade grade
           SET name = grade.name
                      || jsonb_build_object('en_US', 'Excellent condition')
                      || CASE WHEN grade.name ? 'fr_FR'
                              THEN jsonb_build_object('fr_FR', 'Excellent état')
                              ELSE '{}'::jsonb END
          FROM ir_model_data data
         WHERE data.module = 'reemploi_asset' AND data.name = 'grade_a'
           AND data.model = 'reemploi.grade' AND data.res_id = grade.id
           AND grade.name->>'en_US' = 'Like new'
        """
    )
