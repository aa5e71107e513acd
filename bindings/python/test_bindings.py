"""Sentra's bindings driven from Python, against the real libsentra_ffi and a real server.

Run by scripts/test-bindings with PYTHONPATH holding the generated `sentra_ffi` module (and the
library beside it), SENTRA_SERVER the server binary and SENTRA_PHOTO a real phone JPEG.
"""

import asyncio
import datetime
import os
import sqlite3
import tempfile
import threading
import urllib.error
import urllib.request
import uuid

import harness
from sentra_ffi import (
    Buyer, Change, ChangeListener, Dimensions, ErrorCode, NewOrderInput, NewOrderLineInput,
    NewProducerInput, NewProductInput, NewSaleInput, NewVariantInput, NoticeKind, OrderChannel,
    OrderStatus, OrderTab, OrderTransition, ProductChanges, ProductPageQuery, ProductStatus, Role,
    SaleChannel, SentraDevice, SentraError, SyncCancel, SyncListener, SyncSettings, SyncStop, Unlock,
    VariantChanges, ProducerChanges, all_error_codes, error_code_string, error_message, fail_with,
    format_rupiah, product_units, recover_device, search_regions, region_of,
    volumetric_weight_g,
)

PHOTO = os.environ["SENTRA_PHOTO"]
TODAY = datetime.date.today().isoformat()
PIN = "246810"


class Recorder(ChangeListener):
    def __init__(self):
        self.changes = []

    def on_change(self, change):
        self.changes.append(change)


def a_producer(device, phone="0812-3456-7890", pin=PIN):
    return device.register_producer(NewProducerInput(
        business_name="Konveksi Rowosari Jaya", owner_name="Siti Aminah", phone=phone,
        region_code=harness.REGION, sector="fashion_textiles", activation_pin=pin,
        consent_publish=True, consent_date="2026-11-01"))


def jeans(producer_id, name="Celana Jeans Rowosari"):
    return NewProductInput(
        producer_id=producer_id, name=name, category="Celana", unit="pcs", price=150_000,
        status=ProductStatus.LISTED, tiers=["Ukuran"],
        variants=[NewVariantInput(options=["30"], initial_stock=10),
                  NewVariantInput(options=["32"], price=160_000, initial_stock=5)])


def sync(device, token, url, **settings):
    # No listener and no cancel handle: both are optional.
    return asyncio.run(device.sync(url, token, SyncSettings(**settings), None, None))


def test_a_facilitator_registers_a_producer_who_sells_receives_an_order_and_ships_it():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            # The facilitator's phone: sign in, register Siti with an activation PIN, list her
            # jeans with two sizes and a photo, record a sale at the market, sync.
            pendamping = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            assert signed.role == Role.FACILITATOR, repr(signed)
            assert pendamping.account().role == Role.FACILITATOR
            producer = a_producer(pendamping)
            assert [p.id for p in pendamping.producers(True, 0, 50)] == [producer]
            product = pendamping.create_product(jeans(producer))
            photo = asyncio.run(pendamping.add_photo(product, PHOTO))
            assert photo.thumb_hash and os.path.exists(pendamping.photo_path(photo.hash))
            size30, size32 = pendamping.product(product).variants
            assert (size30.effective_price, size32.effective_price) == (150_000, 160_000)
            pendamping.record_sale(NewSaleInput(
                variant_id=size30.id, quantity=2, channel=SaleChannel.MARKET_STALL, sold_on=TODAY))
            assert pendamping.product(product).variants[0].stock == 8
            report = sync(pendamping, signed.token, server.url)
            assert report.completed and report.rejected == 0, report
            assert report.pushed >= 4 and report.photos_sent == 2, report
            assert pendamping.sync_status().pending == []

            # Siti signs in on the same shared phone (her own database file) with the PIN the
            # facilitator set, and finds her catalogue.
            siti = SentraDevice.open(os.path.join(tmp, "siti.db"))
            changes = Recorder()
            siti.set_change_listener(changes)
            mine = asyncio.run(siti.sign_in(server.url, "081234567890", PIN))
            assert mine.role == Role.PRODUCER and mine.producer_id == producer, repr(mine)
            assert sync(siti, mine.token, server.url).completed
            assert Change.SYNCED in changes.changes
            [row] = siti.list_products(ProductPageQuery(producer_id=producer))
            assert (row.name, row.total_stock, row.min_price) == ("Celana Jeans Rowosari", 13,
                                                                   150_000)
            assert row.cover_photo == photo.hash
            # Her phone has the photo's row but not its files; it fetches the thumbnail to show.
            thumb = asyncio.run(siti.fetch_photo(server.url, mine.token, photo.thumb_hash))
            with open(thumb, "rb") as f:
                assert f.read(3) == b"\xff\xd8\xff"  # a JPEG, stripped and resized by the core

            # A buyer orders two pairs in size 32 through the server's order API.
            key = str(uuid.uuid4())
            order = {"key": key, "producer_id": producer, "note": "Tolong dibungkus rapi",
                     "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321",
                               "regency_code": "3374", "address": "Jl. Pemuda 12, Semarang"},
                     "lines": [{"variant_id": size32.id, "quantity": 2}]}
            status, placed = server.request("POST", "/v1/orders", order)
            assert status == 201 and placed["status"] == "new", (status, placed)
            assert server.request("POST", "/v1/orders", order)[1]["code"] == placed["code"]

            # It reaches Siti's phone on her next sync; she accepts it and ships it.
            changes.changes.clear()
            report = sync(siti, mine.token, server.url)
            assert report.completed and report.pulled > 0, report
            assert Change.SYNCED in changes.changes
            [new] = siti.orders(OrderTab.TO_RESPOND, 0, 20)
            assert (new.code, new.total, new.status) == (placed["code"], 320_000, OrderStatus.NEW)
            assert new.channel == OrderChannel.STOREFRONT, repr(new)
            assert new.due_at is not None and new.buyer.name == "Budi Santoso"
            assert format_rupiah(new.total) == "Rp 320.000"
            siti.transition_order(new.id, OrderTransition.ACCEPT())
            siti.transition_order(new.id, OrderTransition.SHIP(courier="JNE",
                                                               tracking_no="JNE0012345678"))
            assert [o.id for o in siti.orders(OrderTab.SHIPPED, 0, 20)] == [new.id]
            assert Change.ORDERS in changes.changes
            report = sync(siti, mine.token, server.url)
            assert report.completed and report.pushed >= 2 and report.rejected == 0, report

            # The server holds the order as shipped; the buyer follows it with the last four
            # digits of their phone, and wrong digits reveal nothing.
            status, seen = server.request("GET", f"/v1/orders/{placed['code']}?phone_last4=4321")
            assert status == 200 and seen["status"] == "shipped", (status, seen)
            status, _ = server.request("GET", f"/v1/orders/{placed['code']}?phone_last4=0000")
            assert status == 404

            # The facilitator's next sync brings the shipped order to their phone too.
            assert sync(pendamping, signed.token, server.url).completed
            [shipped] = pendamping.orders(OrderTab.SHIPPED, 0, 20)
            assert (shipped.courier, shipped.tracking_no) == ("JNE", "JNE0012345678")
        finally:
            server.stop()


def expect(code, call):
    """Runs `call` and checks it raised the typed exception of `code` carrying that code."""
    try:
        call()
    except SentraError as e:
        variant = getattr(SentraError, "".join(w.title() for w in code.name.split("_")))
        assert isinstance(e, variant), (code, e)
        assert e.code == code, (code, e)
        assert e.message_id == error_message(code, False) and e.message_en == error_message(
            code, True)
        return e
    raise AssertionError(f"expected {code}, nothing was raised")


def test_every_public_error_code_reaches_python_as_a_typed_exception_with_its_code():
    codes = all_error_codes()
    assert len(codes) == 18 and len({error_code_string(c) for c in codes}) == 18
    for code in codes:
        expect(code, lambda: fail_with(code))

    with tempfile.TemporaryDirectory() as tmp:
        device = SentraDevice.open(os.path.join(tmp, "a.db"))
        e = expect(ErrorCode.VALIDATION, lambda: device.register_producer(NewProducerInput(
            business_name="", owner_name="Siti", phone="12", region_code="3327",
            sector="crafts")))
        assert {(f.field, f.rule) for f in e.fields} >= {("business_name", "required"),
                                                          ("phone", "phone")}, e.fields
        assert all(f.message_id and f.message_en for f in e.fields)
        expect(ErrorCode.VALIDATION, lambda: device.product("bukan-id"))
        expect(ErrorCode.NOT_FOUND, lambda: device.product(str(uuid.uuid4())))
        producer = a_producer(device)
        product = device.create_product(jeans(producer))
        variant = device.product(product).variants[0].id
        order = device.create_order(NewOrderInput(
            producer_id=producer, channel=OrderChannel.FACILITATOR,
            buyer=Buyer(name="Budi", phone="0857-1111-4321", regency_code="3374",
                        address="Semarang"),
            lines=[NewOrderLineInput(variant_id=variant, quantity=1)]))
        expect(ErrorCode.INVALID_TRANSITION,
               lambda: device.transition_order(order, OrderTransition.COMPLETE()))

        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("bukan foto, bukan database\n" * 200)
        expect(ErrorCode.NOT_AN_IMAGE, lambda: asyncio.run(device.add_photo(product, text)))
        expect(ErrorCode.UNREADABLE_FILE,
               lambda: asyncio.run(device.add_photo(product, os.path.join(tmp, "none.jpg"))))
        half = os.path.join(tmp, "half.jpg")
        with open(PHOTO, "rb") as src, open(half, "wb") as dst:
            dst.write(src.read()[: os.path.getsize(PHOTO) // 2])
        expect(ErrorCode.TRUNCATED_IMAGE, lambda: asyncio.run(device.add_photo(product, half)))
        expect(ErrorCode.NOT_SENTRA_DATABASE, lambda: SentraDevice.open(text).account())

        newer = os.path.join(tmp, "newer.db")
        del device
        SentraDevice.open(newer)
        with sqlite3.connect(newer) as db:
            db.execute("PRAGMA user_version = 9999")
        expect(ErrorCode.SCHEMA_TOO_NEW, lambda: SentraDevice.open(newer))

        closed = f"http://127.0.0.1:{harness._free_port()}"
        device = SentraDevice.open(os.path.join(tmp, "b.db"))
        e = expect(ErrorCode.NETWORK,
                   lambda: asyncio.run(device.sign_in(closed, "pendamping", "x")))
        assert e.server_code is None
        # A PIN never travels in the clear: plain http to a host name or a public address is
        # refused on the phone, before anything is sent (203.0.113.7 is a documentation
        # address: a request to it would hang, not fail at once); so is an address that is not one.
        for url, rule in [("http://sentra.id", "https"), ("http://203.0.113.7:8080", "https"),
                          ("sentra.id", "server_url"), ("ftp://sentra.id", "server_url")]:
            e = expect(ErrorCode.VALIDATION,
                       lambda: asyncio.run(device.sign_in(url, "pendamping", "123456")))
            assert [(f.field, f.rule) for f in e.fields] == [("server_url", rule)], (url, e.fields)
            assert "https://" in e.fields[0].message_id, e.fields
            e = expect(ErrorCode.VALIDATION, lambda: asyncio.run(
                device.sync(url, "token", SyncSettings(), None, None)))
            assert e.fields[0].field == "server_url"
        assert device.account() is None
        server = harness.Server(tmp)
        try:
            # A refused sign-in is its own error, with words for the person, not "no network".
            e = expect(ErrorCode.SIGN_IN_REFUSED, lambda: asyncio.run(
                device.sign_in(server.url, "pendamping", "salah-sandi")))
            assert e.server_code == "bad_credentials", e
            assert "PIN" in e.message_id and "Sign-in refused" in e.message_en, e
        finally:
            server.stop()


class Progress(SyncListener):
    """Records each callback's thread; asks the sync to stop at the third."""

    def __init__(self, cancel):
        self.cancel = cancel
        self.calls = []

    def on_progress(self, progress):
        self.calls.append((threading.get_ident(), progress))
        if len(self.calls) == 3:
            self.cancel.cancel()


def test_progress_arrives_from_a_tokio_thread_and_cancelling_stops_the_sync_cleanly():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            device = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(device.sign_in(server.url, *harness.FACILITATOR))
            producer = a_producer(device)
            for i in range(120):
                device.create_product(jeans(producer, f"Celana Jeans model {i:03}"))
            waiting = sum(p.count for p in device.sync_status().pending)

            cancel = SyncCancel()
            listener = Progress(cancel)
            report = asyncio.run(device.sync(server.url, signed.token,
                                             SyncSettings(push_batch_bytes=8_000), listener,
                                             cancel))
            assert not report.completed and report.stopped_by == SyncStop.CANCELLED(), repr(report)
            assert len(listener.calls) == 3, listener.calls
            # The first report, after the first pull, already counts everything waiting.
            assert listener.calls[0][1].to_push == waiting, listener.calls[0]
            main = threading.get_ident()
            assert all(thread != main for thread, _ in listener.calls)
            pushed = [p.pushed for _, p in listener.calls]
            assert pushed == sorted(pushed) and pushed[-1] > 0, pushed
            left = sum(p.count for p in device.sync_status().pending)
            assert 0 < left < waiting, (left, waiting)
            assert device.sync_status().last_error == SyncStop.CANCELLED(), repr(device.sync_status())

            # Nothing is lost or wedged: the next sync sends the rest.
            again = sync(device, signed.token, server.url, push_batch_bytes=8_000)
            assert again.completed and again.rejected == 0, again
            assert report.pushed + again.pushed == waiting
            assert device.sync_status().pending == []
        finally:
            server.stop()


def test_a_write_tells_the_change_listener_and_pages_of_products_come_whole():
    with tempfile.TemporaryDirectory() as tmp:
        device = SentraDevice.open(os.path.join(tmp, "a.db"))
        changes = Recorder()
        device.set_change_listener(changes)
        producer = a_producer(device)
        for i in range(120):
            device.create_product(jeans(producer, f"Sarung tenun {i:03}"))
        assert changes.changes[:2] == [Change.PRODUCERS, Change.CATALOGUE]
        pages = [device.list_products(ProductPageQuery(offset=o, limit=50)) for o in (0, 50, 100)]
        assert [len(p) for p in pages] == [50, 50, 20]
        assert len({r.id for p in pages for r in p}) == 120
        [found] = device.list_products(ProductPageQuery(search="tenun 042"))
        assert found.name == "Sarung tenun 042"
        device.set_change_listener(None)
        device.create_product(jeans(producer))
        assert len(changes.changes) == 121
        expect(ErrorCode.VALIDATION, lambda: device.list_products(ProductPageQuery(limit=-1)))


def test_switching_account_on_a_shared_phone_needs_that_accounts_pin_offline():
    with tempfile.TemporaryDirectory() as tmp:
        siti = SentraDevice.open(os.path.join(tmp, "siti.db"))
        budi = SentraDevice.open(os.path.join(tmp, "budi.db"))
        siti.set_unlock_pin("246810")
        budi.set_unlock_pin("135790")
        assert siti.has_unlock_pin() and budi.has_unlock_pin()
        assert siti.unlock("246810") == Unlock.OPEN()
        assert siti.unlock("135790") == Unlock.WRONG(attempts_left=4)
        expect(ErrorCode.VALIDATION, lambda: budi.set_unlock_pin("12"))
        for _ in range(5):
            result = budi.unlock("000000")
        assert isinstance(result, Unlock.LOCKED) and result.until_ms > 0
        assert isinstance(budi.unlock("135790"), Unlock.LOCKED)


def scribble_over(path, table):
    """Overwrites every page of `table` in the closed database at `path`, as a failing SD card
    might."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = [p for (p,) in db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert pages, table
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)


def test_a_damaged_database_is_recovered_and_its_unsent_work_reaches_the_server():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            # The facilitator registers Siti and lists 40 products in the village, offline.
            path = os.path.join(tmp, "pendamping.db")
            pendamping = SentraDevice.open(path)
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            producer = a_producer(pendamping)
            for i in range(40):
                pendamping.create_product(jeans(producer, name=f"Celana Jeans {i}"))
            pendamping.set_unlock_pin(PIN)
            unsent = sum(p.count for p in pendamping.sync_status().pending)
            assert unsent > 40, unsent
            pendamping.close_database()
            pendamping.close_database()  # closing twice does nothing
            expect(ErrorCode.INTERNAL, lambda: pendamping.sync_status())

            # The phone's card fails under the products table before any sync.
            scribble_over(path, "products")
            def list_all():
                device = SentraDevice.open(path)
                device.list_products(ProductPageQuery(producer_id=producer))
            expect(ErrorCode.DATABASE_CORRUPT, list_all)

            recovered = recover_device(path)
            report, pendamping = recovered.report, recovered.device
            assert report.damaged_file and os.path.exists(report.damaged_file), report
            assert report.salvaged_changes == unsent and not report.unsent_changes_lost, report
            assert report.sign_in_again
            assert pendamping.has_unlock_pin() and pendamping.unlock(PIN) == Unlock.OPEN()

            # Signed in again (a new device to the server), one sync sends the work it kept.
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            report = sync(pendamping, signed.token, server.url)
            assert report.completed and report.pushed == unsent and report.rejected == 0, report
            assert len(pendamping.list_products(ProductPageQuery(producer_id=producer))) == 40

            # Siti signs in on her own phone and finds all forty.
            siti = SentraDevice.open(os.path.join(tmp, "siti.db"))
            mine = asyncio.run(siti.sign_in(server.url, "081234567890", PIN))
            assert sync(siti, mine.token, server.url).completed
            assert len(siti.list_products(ProductPageQuery(producer_id=producer))) == 40
        finally:
            server.stop()


def test_two_phones_add_one_size_offline_edit_and_remove_variants_and_hear_of_a_lost_edit():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            pendamping = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            producer = a_producer(pendamping)
            product = pendamping.create_product(jeans(producer))
            assert sync(pendamping, signed.token, server.url).completed
            # Siti's own phone and her daughter's, both signed in to her account.
            phones = []
            for name in ("siti.db", "putri.db"):
                phone = SentraDevice.open(os.path.join(tmp, name))
                token = asyncio.run(phone.sign_in(server.url, "081234567890", PIN)).token
                assert sync(phone, token, server.url).completed
                phones.append((phone, token))
            (siti, siti_token), (putri, putri_token) = phones

            # Offline, both add size 34: three pairs on one phone, two on the other.
            one = siti.add_variant(product, NewVariantInput(options=["34"], initial_stock=3))
            two = putri.add_variant(product, NewVariantInput(options=["34"], initial_stock=2))
            assert one == two
            for phone, token in (phones + phones[:1]):
                report = sync(phone, token, server.url)
                assert report.completed and report.rejected == 0, repr(report)
            sizes = [(v.options, v.stock) for v in siti.product(product).variants]
            assert sizes == [(["30"], 10), (["32"], 5), (["34"], 5)], sizes
            assert [(v.options, v.stock) for v in putri.product(product).variants] == sizes

            # Putri prices size 34 and takes size 30 off sale; Siti sees both.
            size30 = siti.product(product).variants[0].id
            putri.edit_variant(one, VariantChanges(price=175_000))
            putri.remove_variant(size30)
            for phone, token in (phones[1], phones[0]):
                assert sync(phone, token, server.url).completed
            variants = siti.product(product).variants
            assert [(v.options, v.effective_price) for v in variants] == [
                (["32"], 160_000), (["34"], 175_000)], variants
            siti.edit_variant(one, VariantChanges(clear_price=True))
            assert siti.product(product).variants[1].effective_price == 150_000

            # A product keeps one variant; the error says which field, even printed.
            siti.remove_variant(variants[0].id)
            error = expect(ErrorCode.VALIDATION, lambda: siti.remove_variant(one))
            assert [f.field for f in error.fields] == ["variants"], error.fields
            assert "variants" in repr(error.fields[0]) and "variants" in str(error), str(error)
            assert "completed" in repr(sync(siti, siti_token, server.url))

            # Offline, Siti deletes the jeans; a moment later Putri, not knowing, renames them.
            siti.delete_product(product)
            putri.edit_product(product, ProductChanges(name="Celana Jeans Rowosari Biru"))
            for phone, token in (phones[1], phones[0], phones[1]):
                assert sync(phone, token, server.url).completed
            expect(ErrorCode.NOT_FOUND, lambda: putri.product(product))
            [notice] = putri.notices()
            assert notice.kind == NoticeKind.EDIT_LOST_TO_DELETE, repr(notice)
            assert (notice.entity_id, notice.name) == (product, "Celana Jeans Rowosari Biru")
            assert putri.sync_status().notices == 1 and siti.notices() == []
            putri.dismiss_notice(notice.id)
            assert putri.notices() == [] and putri.sync_status().notices == 0
        finally:
            server.stop()


def page_status(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_facilitator_in_the_field_finds_the_region_by_name_records_consent_and_clusters():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            pendamping = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            # The region by its name, offline: no Kemendagri code typed.
            found = search_regions("kab pemalang", 10)
            assert [(r.code, r.name, r.province) for r in found] == [
                ("3327", "Kabupaten Pemalang", "Jawa Tengah")]
            assert region_of("33.27.05").name == "Kabupaten Pemalang" and region_of("9999") is None
            # Registered without consent: the product stays off the storefront.
            producer = pendamping.register_producer(NewProducerInput(
                business_name="Gula Kristal Makmur", owner_name="Darsono", phone="0813-2222-3333",
                region_code=found[0].code, sector="food_beverage"))
            product = pendamping.create_product(jeans(producer, "Gula Kristal 1 kg"))
            assert sync(pendamping, signed.token, server.url).rejected == 0
            assert page_status(f"{server.url}/p/{product}") == 404
            # Consent without its date is refused with the field named; with it, it is kept.
            expect(ErrorCode.VALIDATION, lambda: pendamping.edit_producer(
                producer, ProducerChanges(consent_publish=True)))
            pendamping.edit_producer(producer, ProducerChanges(
                consent_publish=True, consent_date=TODAY))
            assert pendamping.producer(producer).consent_date == TODAY
            # Into a new cluster, and out again: each syncs and the server accepts both.
            cluster = pendamping.create_organisation("cluster", "Sentra Gula Pemalang", "3327")
            pendamping.add_member(cluster, producer)
            assert [o.name for o in pendamping.organisations_of(producer)] == ["Sentra Gula Pemalang"]
            report = sync(pendamping, signed.token, server.url)
            assert report.completed and report.rejected == 0, report
            assert page_status(f"{server.url}/p/{product}") == 200
            pendamping.remove_member(cluster, producer)
            assert pendamping.organisations_of(producer) == []
            expect(ErrorCode.NOT_FOUND, lambda: pendamping.remove_member(cluster, producer))
            report = sync(pendamping, signed.token, server.url)
            assert report.completed and report.rejected == 0, report
            # A second phone of the same facilitator sees the cluster without the producer.
            other = SentraDevice.open(os.path.join(tmp, "tablet.db"))
            token = asyncio.run(other.sign_in(server.url, *harness.FACILITATOR)).token
            assert sync(other, token, server.url).completed
            [seen] = [o for o in other.organisations() if o.id == cluster]
            assert seen.members == []
        finally:
            server.stop()


def test_stock_a_voided_sale_refusals_and_the_sync_status_of_a_producers_day():
    with tempfile.TemporaryDirectory() as tmp:
        server = harness.Server(tmp)
        try:
            pendamping = SentraDevice.open(os.path.join(tmp, "pendamping.db"))
            signed = asyncio.run(pendamping.sign_in(server.url, *harness.FACILITATOR))
            producer = a_producer(pendamping)
            product = pendamping.create_product(jeans(producer))
            size30, size32 = pendamping.product(product).variants
            assert "kodi" in product_units() and "lusin" in product_units()
            pendamping.edit_product(product, ProductChanges(
                unit="kodi", dimensions_cm=Dimensions(length_cm=30, width_cm=20, height_cm=10)))
            assert pendamping.product(product).volumetric_weight_g == volumetric_weight_g(30, 20, 10) == 1000
            # Stock comes in and is corrected with a reason; the history says so.
            pendamping.restock(size30.id, 5)
            pendamping.adjust_stock_with_reason(size32.id, -2, "rusak kena air")
            [last, *_] = pendamping.stock_history(size32.id, 10)
            assert (last.kind, last.delta, last.reason) == ("adjust", -2, "rusak kena air"), last
            sale = pendamping.record_sale(NewSaleInput(
                variant_id=size30.id, quantity=12, channel=SaleChannel.MARKET_STALL, sold_on=TODAY))
            assert sync(pendamping, signed.token, server.url).completed

            # Siti voids the mistyped sale on her own phone; the facilitator's phone follows.
            siti = SentraDevice.open(os.path.join(tmp, "siti.db"))
            token = asyncio.run(siti.sign_in(server.url, "081234567890", PIN)).token
            assert sync(siti, token, server.url).completed
            siti.void_sale(sale, "salah ketik")
            expect(ErrorCode.VALIDATION, lambda: siti.void_sale(sale, ""))
            [entry] = siti.sales_history(TODAY, TODAY, 10)
            assert entry.voided_at_ms and entry.void_reason == "salah ketik", entry
            assert entry.options == ["30"] and entry.product_name == "Celana Jeans Rowosari"
            assert sync(siti, token, server.url).completed
            assert sync(pendamping, signed.token, server.url).completed
            assert pendamping.sales(TODAY, TODAY, 10) == []
            assert pendamping.sales_totals(True, TODAY, TODAY) == []
            assert pendamping.product(product).variants[0].stock == 15

            # A producer's phone lists a product for another shop: refused, shown, discarded.
            other = siti.register_producer(NewProducerInput(
                business_name="Batik Tetangga", owner_name="Bu Tetangga", phone="0813-1111-2222",
                region_code=harness.REGION, sector="crafts"))
            theirs = siti.create_product(jeans(other, "Batik Tulis"))
            report = sync(siti, token, server.url)
            assert report.rejected >= 2, report
            assert siti.refused_products() == [theirs]
            refused = siti.quarantined()
            assert {(q.entity, q.code) for q in refused} >= {("product", "forbidden")}, refused
            status = siti.sync_status()
            assert status.quarantined == len(refused) and status.data_month_bytes > 0, status
            assert status.last_success_ms is not None
            [product_refusal] = [q for q in refused if q.entity == "product"]
            siti.resend_refused(product_refusal.seq)  # sent again unchanged: refused again
            assert sync(siti, token, server.url).rejected == 1
            for q in siti.quarantined():
                siti.discard_refused(q.seq)
            assert siti.quarantined() == [] and siti.refused_products() == []
            expect(ErrorCode.NOT_FOUND, lambda: siti.product(theirs))
            assert [p.id for p in siti.list_products(ProductPageQuery())] == [product]
        finally:
            server.stop()


if __name__ == "__main__":
    harness.run([
        test_a_facilitator_registers_a_producer_who_sells_receives_an_order_and_ships_it,
        test_every_public_error_code_reaches_python_as_a_typed_exception_with_its_code,
        test_progress_arrives_from_a_tokio_thread_and_cancelling_stops_the_sync_cleanly,
        test_a_write_tells_the_change_listener_and_pages_of_products_come_whole,
        test_switching_account_on_a_shared_phone_needs_that_accounts_pin_offline,
        test_a_damaged_database_is_recovered_and_its_unsent_work_reaches_the_server,
        test_two_phones_add_one_size_offline_edit_and_remove_variants_and_hear_of_a_lost_edit,
        test_a_facilitator_in_the_field_finds_the_region_by_name_records_consent_and_clusters,
        test_stock_a_voided_sale_refusals_and_the_sync_status_of_a_producers_day,
    ])
