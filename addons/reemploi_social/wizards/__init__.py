from . import reemploi_social_report_wizard
