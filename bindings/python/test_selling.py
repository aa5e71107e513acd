"""How a producer sells, driven from Python once: delivery and payment settings with a QRIS image,
a buyer's order that carries the fee computed on the server, and the paid mark reaching the
buyer. Against the real libsentra_ffi and a real server (see harness.py); run by
scripts/test-bindings after test_bindings.py.
"""

import asyncio
import os
import tempfile
import uuid

import harness
from sentra_ffi import (
    BankAccount, CourierFee, DeliveryChoice, ErrorCode, NewProducerInput, NewProductInput,
    NewVariantInput, PaymentChoice, ProductStatus, SellingSettings, SentraDevice, SentraError,
    SyncSettings,
)

PHOTO = os.environ["SENTRA_PHOTO"]


def sync(device, token, url):
    return asyncio.run(device.sync(url, token, SyncSettings(), None, None))


def test_a_producer_says_how_they_deliver_and_are_paid_and_marks_a_buyers_order_paid():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            phone = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(phone.sign_in(server.url, *harness.FACILITATOR))
            producer = phone.register_producer(NewProducerInput(
                business_name="Gula Kristal Banyumas", owner_name="Pak Darto",
                phone="0812-5555-0101", region_code=harness.REGION, sector="food_beverage",
                consent_publish=True, consent_date="2026-11-01"))
            # 1 kg bags in a 20×15×10 cm box (volumetric 500 g): 1 kg each.
            product = phone.create_product(NewProductInput(
                producer_id=producer, name="Gula Kristal 1 kg", category="Gula", unit="pcs",
                price=18_000, weight_g=1_000, length_cm=20, width_cm=15, height_cm=10,
                status=ProductStatus.LISTED, tiers=[],
                variants=[NewVariantInput(options=[], initial_stock=50)]))
            [variant] = phone.product(product).variants

            # A mistyped number is refused with the fields it broke, and nothing is saved.
            try:
                phone.set_selling(producer, SellingSettings(
                    pickup_place=None, courier=CourierFee.FLAT(fee=-5), bank=None,
                    qris_hash=None, cod=False, whatsapp="12345"))
                raise AssertionError("bad settings were saved")
            except SentraError as e:
                assert e.code == ErrorCode.VALIDATION, e
                assert [f.field for f in e.fields] == ["delivery_courier", "contact_whatsapp"], e
            assert phone.selling(producer).courier is None

            phone.set_selling(producer, SellingSettings(
                pickup_place="Pabrik gula, Desa Kalisube",
                courier=CourierFee.PER_KG(regency=5_000, province=9_000, national=None),
                bank=BankAccount(bank="BRI", number="0123 4567 8901", holder="Darto"),
                qris_hash=None, cod=True, whatsapp="0812 5555 0101"))
            qris = asyncio.run(phone.set_qris_photo(producer, PHOTO))
            kept = phone.selling(producer)
            assert kept.qris_hash == qris.hash and kept.whatsapp == "+6281255550101", kept
            assert kept.bank.number == "012345678901", kept
            assert sync(phone, signed.token, server.url).completed

            # A buyer in Semarang (same province) orders 3 bags by courier, paying by QRIS:
            # 3 kg at Rp 9.000 is computed by the server and is in the total.
            order = {"key": str(uuid.uuid4()), "producer_id": producer,
                     "buyer": {"name": "Warung Bu Sri", "phone": "0857-2222-7788",
                               "regency_code": "3374", "address": "Jl. Pandanaran 3"},
                     "lines": [{"variant_id": variant.id, "quantity": 3}],
                     "delivery": "courier", "payment": "qris"}
            status, placed = server.request("POST", "/v1/orders", order)
            assert status == 201, (status, placed)
            assert (placed["delivery_fee"], placed["total"]) == (27_000, 3 * 18_000 + 27_000)

            # The order reaches the phone with its choice and fee; the producer marks it paid.
            assert sync(phone, signed.token, server.url).completed
            selling = phone.order_selling(placed["order_id"])
            assert selling.delivery == DeliveryChoice.COURIER, selling
            assert selling.payment == PaymentChoice.QRIS and selling.delivery_fee == 27_000
            assert selling.paid_at is None
            status, seen = server.request(
                "GET", f"/v1/orders/{placed['code']}?phone_last4=7788")
            assert status == 200 and not seen["paid"], seen
            assert seen["seller"]["qris_url"] == f"/foto/{qris.hash}", seen
            phone.mark_order_paid(placed["order_id"])
            assert phone.order_selling(placed["order_id"]).paid_at is not None
            assert sync(phone, signed.token, server.url).completed
            status, seen = server.request(
                "GET", f"/v1/orders/{placed['code']}?phone_last4=7788")
            assert status == 200 and seen["paid"], seen
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run([
        test_a_producer_says_how_they_deliver_and_are_paid_and_marks_a_buyers_order_paid,
    ])
