from .common import MarketCase

REPORT_REF = "reemploi_market.action_report_takeback"


class TakebackCase(MarketCase):
    """A processed lot of donor A, operated by X, whose devices ended in every
    outcome; and a processed lot of donor B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.laptop.write(
            {
                "co2e_kg": 175.0,
                "weight_kg": 2.0,
                "factor_reference": "Base Empreinte v23",
            }
        )
        cls.monitor.write({"co2e_kg": 65.0, "weight_kg": 4.5})
        cls.sold = cls._device("L-SOLD")
        cls.donated = cls._device("L-DON")
        cls.recycled = cls._device("L-REC")
        cls.missing = cls._device("L-MISS")
        # a serial with leading zeros stays text in the XLSX
        cls.for_sale = cls._device("00042", category=cls.monitor)
        cls.devices = cls.sold | cls.donated | cls.recycled | cls.missing | cls.for_sale
        cls.lot = cls._processed_lot(cls.devices, cls.company_x)
        cls.other = cls._device("B-SOLD", owner=cls.donor_b)
        cls.lot_b = cls._processed_lot(cls.other, cls.company_y, donor=cls.donor_b)

    @classmethod
    def _processed_lot(cls, devices, company, donor=None):
        lot = cls._matched_lot(company=company, devices=devices, donor=donor)
        lot = lot.with_company(company)
        lot.action_schedule()
        lot.action_collect()
        lot.action_receive()
        devices = devices.with_company(company)
        for device in devices:
            serial = device.serial
            if serial == "L-MISS":
                device.action_mark_missing()
                continue
            if serial == "L-REC":
                cls._erase(device, method="destroy", verification_method="visual")
                device.action_recycle()
                continue
            if device.has_data_medium:
                cls._erase(device)
                device.action_mark_erased()
            cls._grading(device, check_storage="ok" if device.has_data_medium else "na")
            device.action_grade()
            if serial == "L-DON":
                device.action_donate()
                continue
            device.action_publish()
            if serial != "00042":
                device.action_sell()
        lot.action_process()
        return lot
