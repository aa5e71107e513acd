package id.sentra.app.logic

import id.sentra.ffi.OrderTab
import id.sentra.ffi.SyncSettings
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.time.LocalDate
import java.util.UUID
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The shared phone and the facilitator in the field, through the app's own state holders, the
 * real library and a real server: a cold start asks the last account's PIN; background sync
 * covers every account and announces a new order with a reminder before its deadline; a
 * producer is picked, found by region name, given consent and put into a cluster.
 */
class SharedPhoneTest {
    @Test
    fun `background sync covers every account on the phone and announces a new order of the one not open`() = runBlocking {
        TestServer().use { server ->
            val phone = AccountBook(File(server.dir, "phone"))
            val stores = mutableMapOf<String, SessionStore>()
            val sessions = { login: String -> stores.getOrPut(login) { MemorySessionStore() } }
            val pendamping = phone.signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, sessions(TestServer.FACILITATOR))
            val directory = ProducerDirectory(pendamping, Lang.ID)
            val siti = assertNotNull(directory.register(siti()))
            val darsih = assertNotNull(directory.register(siti("0813-5555-6666").copy(businessName = "Gula Kristal Darsih")))
            val editor = ProductEditor(pendamping, Lang.ID, darsih)
            editor.edit { jeans(darsih, "Gula Kristal 1 kg") }
            val product = assertNotNull(editor.save())
            val variant = pendamping.product(product).variants.first().id
            assertTrue(assertNotNull(SyncController(pendamping, sessions(TestServer.FACILITATOR), Lang.ID).syncNow()).completed)
            pendamping.close() // one handle per file: the background run opens it

            // Both producers sign in on this phone; Siti's account is the one in use.
            phone.signIn(server.url, "081234567890", PIN, sessions("081234567890")).close()
            val darsihLogin = "081355556666"
            phone.signIn(server.url, darsihLogin, PIN, sessions(darsihLogin)).close()
            val open = assertIs<Switch.Opened>(phone.switchTo("081234567890", PIN)).device

            // A buyer orders from Darsih, whose account is not open.
            val order = """{"key": "${UUID.randomUUID()}", "producer_id": "$darsih", "note": "",
                "buyer": {"name": "Budi Santoso", "phone": "0857-1111-4321", "regency_code": "3374",
                          "address": "Jl. Pemuda 12, Semarang"},
                "lines": [{"variant_id": "$variant", "quantity": 3}]}"""
            val (status, placed) = server.post("/v1/orders", order)
            assertEquals(201, status, placed)
            val code = assertNotNull(TestServer.field(placed, "code"))

            val clock = object : PhotoRetryClock {
                val at = mutableMapOf<String, Long>()
                override fun last(login: String) = at[login]
                override fun record(login: String, atMs: Long) { at[login] = atMs }
            }
            val now = System.currentTimeMillis()
            val every = EveryAccountSync(phone, sessions, clock, Lang.ID) { now }
            assertEquals(listOf(TestServer.FACILITATOR, "081234567890", darsihLogin), every.targets().map { it.login })
            val runs = every.run(SyncSettings(), open = "081234567890" to open)
            assertTrue(runs.all { it.report?.completed == true }, runs.toString())
            val darsihRun = runs.single { it.login == darsihLogin }
            val alert = darsihRun.alerts.now.single()
            assertEquals(AlertKind.NEW_ORDER, alert.kind)
            assertEquals("Pesanan baru untuk Gula Kristal Darsih", alert.title)
            assertTrue(alert.text.startsWith("Budi Santoso memesan 3 barang, Rp 450.000 ($code). Respon dalam 23 jam."), alert.text)
            val reminder = darsihRun.alerts.reminders.single()
            assertEquals(AlertKind.RESPOND_REMINDER, reminder.kind)
            assertEquals(alert.orderId, reminder.orderId)
            val due = assertIs<Switch.Opened>(phone.switchTo(darsihLogin, PIN)).device.use { darsihPhone ->
                assertNotNull(darsihPhone.orders(OrderTab.TO_RESPOND, 0, 5).single().dueAt)
            }
            assertEquals(due - OrderAlerts.REMIND_BEFORE_MS, reminder.atMs)
            assertTrue(runs.single { it.login == "081234567890" }.alerts.now.isEmpty(), "nothing new for Siti")
            // The facilitator's account sees Darsih's order too, and says whose it is.
            assertEquals(listOf(code), runs.single { it.login == TestServer.FACILITATOR }.alerts.now.map { it.text.substringAfter("(").substringBefore(")") })

            // The next run announces nothing again, and once Darsih answers, no reminder is left.
            val again = every.run(SyncSettings(), open = "081234567890" to open)
            assertTrue(again.all { it.alerts.now.isEmpty() }, again.toString())
            val darsihPhone = assertIs<Switch.Opened>(phone.switchTo(darsihLogin, PIN)).device
            val board = OrdersBoard(darsihPhone, Lang.ID)
            board.refresh()
            assertFalse(board.reject(alert.orderId, RejectReason.OTHER, "  "))
            assertEquals("Tulis alasan penolakan untuk pembeli.", board.view.value.message?.text)
            assertTrue(board.reject(alert.orderId, RejectReason.OUT_OF_STOCK, ""), board.view.value.message.toString())
            darsihPhone.close()
            val after = every.run(SyncSettings(), open = "081234567890" to open)
            assertTrue(after.single { it.login == darsihLogin }.alerts.reminders.isEmpty())
            val (_, seen) = server.get("/v1/orders/$code?phone_last4=4321")
            assertEquals("rejected", TestServer.field(seen, "status"), seen)
            assertEquals("Stok habis", TestServer.field(seen, "reason"), seen)

            // A signed-out account is left alone.
            sessions(darsihLogin).clear()
            assertEquals(listOf(TestServer.FACILITATOR, "081234567890"), every.targets().map { it.login })
            open.close()
        }
    }

    @Test
    fun `a cold start never reopens the last account without its PIN`() = runBlocking {
        TestServer().use { server ->
            val phone = AccountBook(File(server.dir, "phone"))
            assertEquals(ColdStart.SignIn, phone.coldStart(null))
            val staff = MemorySessionStore()
            // A facilitator without a phone PIN goes to the list and signs in again.
            phone.signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, staff).use { pendamping ->
                assertNotNull(ProducerDirectory(pendamping, Lang.ID).register(siti()))
                assertTrue(assertNotNull(SyncController(pendamping, staff, Lang.ID).syncNow()).completed)
            }
            assertEquals(ColdStart.Choose, phone.coldStart(TestServer.FACILITATOR))
            // With a PIN chosen for this phone, it asks for it; so does a producer's account.
            phone.signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, staff, phonePin = "135790").close()
            assertEquals(ColdStart.AskPin(TestServer.FACILITATOR), phone.coldStart(TestServer.FACILITATOR))
            phone.signIn(server.url, "081234567890", PIN, MemorySessionStore()).close()
            assertEquals(ColdStart.AskPin("081234567890"), phone.coldStart("081234567890"))
            assertEquals(Switch.WrongPin(4), phone.switchTo("081234567890", "000000"))
            assertIs<Switch.Opened>(phone.switchTo(TestServer.FACILITATOR, "135790")).device.close()
            assertEquals(ColdStart.Choose, phone.coldStart("0899-unknown"))
        }
    }

    @Test
    fun `a facilitator picks the producer, finds the region by name, records consent and clusters them`() = runBlocking {
        TestServer().use { server ->
            val phone = AccountBook(File(server.dir, "phone"))
            val store = MemorySessionStore()
            val pendamping = phone.signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, store)
            val found = RegionSearch.find("pemalang")
            assertEquals(listOf(RegionChoice("3327", "Kabupaten Pemalang, Jawa Tengah")), found)
            assertNull(RegionSearch.label("9999"))
            val directory = ProducerDirectory(pendamping, Lang.ID)
            val ani = assertNotNull(directory.register(siti("0813-1111-2222").copy(businessName = "Anyaman Ani", regionCode = found.single().code, consentDate = null)))
            val budi = assertNotNull(directory.register(siti("0813-3333-4444").copy(businessName = "Batik Budi")))
            assertEquals("Kabupaten Pemalang, Jawa Tengah", directory.view.value.producers.first().region)

            // The picker starts from the last pick, not the alphabetically first producer.
            val picker = ProducerPicker(pendamping, Lang.ID)
            assertEquals(listOf("Anyaman Ani", "Batik Budi"), picker.choices().map { it.name })
            assertEquals(budi, picker.initial(null, lastPicked = budi))
            assertNull(picker.initial(null, lastPicked = null), "no silent default")
            assertNull(picker.initial(null, lastPicked = "0190c0de-0000-7000-8000-000000000000"))
            assertEquals(ani, picker.initial(ani, lastPicked = budi))

            // Consent recorded on the phone reaches the storefront.
            val editor = ProductEditor(pendamping, Lang.ID, ani)
            editor.edit { jeans(ani, "Tas Anyaman Pandan") }
            val product = assertNotNull(editor.save())
            val sync = SyncController(pendamping, store, Lang.ID)
            assertTrue(assertNotNull(sync.syncNow()).completed)
            assertEquals(404, server.get("/p/$product").first)
            assertTrue(directory.recordConsent(ani, true, LocalDate.of(2026, 12, 2)))
            assertEquals("2026-12-02", directory.view.value.producers.single { it.id == ani }.consent)
            assertTrue(assertNotNull(sync.syncNow()).completed)
            assertEquals(200, server.get("/p/$product").first)

            // Into a new cluster and out again; the server accepts both.
            val clusters = Clusters(pendamping, Lang.ID, ani)
            assertTrue(clusters.create("cluster", "Sentra Anyaman Pemalang", "3327"), clusters.view.value.toString())
            assertEquals(listOf(true), clusters.view.value.organisations.map { it.member })
            assertEquals("Sentra/klaster", clusters.view.value.organisations.single().kindText)
            val cluster = clusters.view.value.organisations.single().id
            assertTrue(Clusters(pendamping, Lang.ID, budi).join(cluster))
            assertTrue(clusters.leave(cluster))
            assertEquals(listOf(false), clusters.view.value.organisations.map { it.member })
            assertFalse(clusters.leave(cluster), "not a member any more")
            assertNotNull(clusters.view.value.message)
            val report = assertNotNull(sync.syncNow())
            assertTrue(report.completed && report.rejected == 0L, report.toString())
            assertEquals(listOf(budi), pendamping.organisations().single().members)
            pendamping.close()
        }
    }

    @Test
    fun `order alerts and the photo policy speak both languages and keep their schedule`() {
        assertEquals("Pakai data seluler untuk foto", PhotoPolicy.switchLabel(Lang.ID))
        assertEquals("Use mobile data for photos", PhotoPolicy.switchLabel(Lang.EN))
        assertTrue(PhotoPolicy.syncNow(unmetered = false, allowMobileData = false).thumbnailsOnly)
        assertFalse(PhotoPolicy.syncNow(unmetered = false, allowMobileData = true).thumbnailsOnly)
        assertFalse(PhotoPolicy.syncNow(unmetered = true, allowMobileData = false).thumbnailsOnly)
        assertFalse(PhotoPolicy.retryDue(failed = 0, lastRetryMs = null, now = 0))
        assertTrue(PhotoPolicy.retryDue(failed = 2, lastRetryMs = null, now = 0))
        assertFalse(PhotoPolicy.retryDue(failed = 2, lastRetryMs = 1_000, now = 1_000 + PhotoPolicy.RETRY_EVERY_MS - 1))
        assertTrue(PhotoPolicy.retryDue(failed = 2, lastRetryMs = 1_000, now = 1_000 + PhotoPolicy.RETRY_EVERY_MS))
        assertEquals("Stok habis", RejectReason.text(RejectReason.OUT_OF_STOCK, "ignored"))
        assertEquals("Out of stock", RejectReason.OUT_OF_STOCK.label(Lang.EN))
        assertEquals("Bahan baku belum datang", RejectReason.text(RejectReason.OTHER, "  Bahan baku belum datang "))
        assertNull(RejectReason.text(RejectReason.OTHER, " "))
    }
}
