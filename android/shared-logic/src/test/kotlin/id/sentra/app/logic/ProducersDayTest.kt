package id.sentra.app.logic

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.time.LocalDate
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A producer's day through the app's own state holders, against the real library and a real
 * server: the editor adds, prices and drops variants and keeps a packed size; stock comes in
 * and is corrected with a reason; a mistyped sale is voided on her own phone and leaves the
 * facilitator's totals; a change the server refuses is shown with its reason and discarded; and
 * the sync card says when the phone synced and how much data it used.
 */
class ProducersDayTest {
    @Test
    fun `variants, stock, a voided sale, a refusal and the sync card on two phones`() = runBlocking {
        TestServer().use { server ->
            val facilitatorSession = MemorySessionStore()
            val pendamping = AccountBook(File(server.dir, "pendamping"))
                .signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, facilitatorSession)
            val producer = assertNotNull(ProducerDirectory(pendamping, Lang.ID).register(siti()))

            // Jeans sold by the kodi, packed 30 × 20 × 10 cm.
            assertTrue("kodi" in ProductEditor.UNITS && "lusin" in ProductEditor.UNITS && "ton" in ProductEditor.UNITS)
            assertEquals("kodi (20 buah)", ProductEditor.unitLabel("kodi", Lang.ID))
            val editor = ProductEditor(pendamping, Lang.ID, producer)
            editor.edit { jeans(producer).copy(unit = "kodi", weightG = "800", lengthCm = "30", widthCm = "20", heightCm = "10") }
            assertEquals("Berat volume 1.000 g (P\u00d7L\u00d7T/6000)", editor.volumetricText())
            val product = assertNotNull(editor.save(), editor.view.value.toString())
            assertEquals(1_000L, pendamping.product(product).volumetricWeightG)

            // Later: size 34 added, size 32 dearer, size 30 dropped, and the box is taller.
            editor.load(product)
            editor.addVariantRow()
            editor.edit { d ->
                d.copy(
                    heightCm = "20",
                    variants = d.variants.mapIndexed { i, v ->
                        when (i) {
                            1 -> v.copy(price = "165.000")
                            2 -> v.copy(options = listOf("34"), stock = "4")
                            else -> v
                        }
                    },
                )
            }
            editor.removeVariantRow(0)
            assertEquals(product, editor.save(), editor.view.value.toString())
            val saved = pendamping.product(product)
            assertEquals(listOf(listOf("32") to 165_000L, listOf("34") to 150_000L), saved.variants.map { it.options to it.effectivePrice })
            assertEquals(listOf(5L, 4L), saved.variants.map { it.stock })
            assertEquals(2_000L, saved.volumetricWeightG)
            val (size32, size34) = saved.variants

            // Stock: six pairs arrive, and a count finds only three size-32 (two got wet).
            val stock = StockActions(pendamping, Lang.ID)
            assertEquals(StockResult.Done(10), stock.restock(product, size34.id, "6"))
            assertEquals(StockResult.Done(3), stock.correctTo(product, size32.id, "3", "rusak kena air"))
            val refusedCount = stock.correctTo(product, size32.id, "tiga", "")
            assertTrue(refusedCount is StockResult.Refused && "delta" in refusedCount.message.fields)
            val history = stock.history(size32.id)
            assertEquals("Koreksi hitung: rusak kena air", history.first().text)
            assertEquals("\u22122", history.first().delta)

            // A sale at the market, typed as 20 pairs instead of 2.
            val entry = SalesEntry(pendamping, Lang.ID)
            val typo = entry.record(SaleDraft(variantId = size34.id, quantity = "20"))
            assertTrue(typo is SaleResult.Recorded, typo.toString())
            entry.record(SaleDraft(variantId = size34.id, quantity = "2"))
            val facilitatorSync = SyncController(pendamping, facilitatorSession, Lang.ID)
            assertTrue(assertNotNull(facilitatorSync.syncNow()).completed)

            // Siti, on her own phone, finds the mistake in her sales history and voids it.
            val sitiSession = MemorySessionStore()
            val own = AccountBook(File(server.dir, "siti")).signIn(server.url, "081234567890", PIN, sitiSession)
            val sitiSync = SyncController(own, sitiSession, Lang.ID)
            assertTrue(assertNotNull(sitiSync.syncNow()).completed)
            val sales = SalesHistory(own, Lang.ID)
            assertEquals("Rp 3.300.000", sales.load().total)
            val mistake = sales.view.lines.first { it.detail.startsWith("20 ") }
            assertEquals("Celana Jeans Rowosari \u00b7 34", mistake.title)
            assertTrue(sales.void(mistake.id, "salah ketik"), sales.view.message.toString())
            val struck = sales.view.lines.first { it.id == mistake.id }
            assertTrue(struck.voided)
            assertEquals("Dibatalkan: salah ketik", struck.voidText)
            assertEquals("Rp 300.000", sales.view.total)
            assertFalse(sales.void(mistake.id, ""), "voided once")
            assertTrue(assertNotNull(sitiSync.syncNow()).completed)
            assertTrue(assertNotNull(facilitatorSync.syncNow()).completed)
            assertEquals("Rp 300.000", entry.todayTotal(LocalDate.now()), "the facilitator's phone agrees")
            assertEquals(8L, pendamping.product(product).variants[1].stock, "the 20 pairs are back")

            // Siti's phone (a producer's account) registers her neighbour's shop and lists a
            // product for it: the server refuses both, and says why.
            val neighbour = assertNotNull(
                ProducerDirectory(own, Lang.ID).register(siti("0813-1111-2222").copy(businessName = "Batik Tetangga", pin = "", pinAgain = "")),
            )
            val theirs = ProductEditor(own, Lang.ID, neighbour)
            theirs.edit { jeans(neighbour, "Batik Tulis Tetangga") }
            val refusedProduct = assertNotNull(theirs.save(), theirs.view.value.toString())
            val report = assertNotNull(sitiSync.syncNow())
            assertTrue(report.rejected >= 2, report.toString())
            val refusals = RefusalsState(own, Lang.ID)
            val lines = refusals.refresh().lines
            val productLine = lines.first { it.entity == "product" }
            assertEquals("Produk baru", productLine.what)
            assertEquals("Akun ini tidak berhak mengubah data ini.", productLine.why)
            assertTrue(productLine.fixInEditor)
            assertEquals(
                "This account may not change this data.",
                RefusalsState(own, Lang.EN).refresh().lines.first { it.entity == "product" }.why,
            )

            val catalogue = CatalogueState(own, Lang.ID)
            catalogue.search("")
            val card = catalogue.view.value.products.first { it.id == refusedProduct }
            assertTrue(card.refused && !card.listed)
            assertEquals("Ditolak server", card.statusText)
            assertEquals("Tayang", catalogue.view.value.products.first { it.id == product }.statusText)

            sitiSync.refresh()
            val status = assertNotNull(sitiSync.view.value.status)
            assertEquals("Terakhir sinkron baru saja", status.lastSync)
            assertTrue(status.refusals!!.startsWith("${lines.size} perubahan ditolak server"), status.refusals)
            assertNull(status.clock)
            assertEquals(
                "Jam ponsel terlambat 3 hari. Betulkan tanggal dan jam di Pengaturan.",
                SyncStatusText.clock(3 * 86_400_000L, Lang.ID),
            )
            assertEquals(
                "Jam ponsel lebih cepat 3 hari. Betulkan tanggal dan jam di Pengaturan.",
                SyncStatusText.clock(-3 * 86_400_000L, Lang.ID),
            )
            val used = own.syncStatus().dataMonthBytes
            assertTrue(used > 0, "bytes counted")
            assertEquals("Data bulan ini: " + SyncStatusText.bytes(used, Lang.ID), status.data)
            assertEquals("12,3 KB", SyncStatusText.bytes(12_595, Lang.ID))
            assertEquals("3.1 MB", SyncStatusText.bytes(3_250_586, Lang.EN))

            // She lets them go: her phone takes the server's state, and her own shop stays.
            for (line in lines.sortedByDescending { it.seq }) assertTrue(refusals.discard(line.seq), refusals.view.message.toString())
            assertEquals(emptyList(), refusals.refresh().lines)
            catalogue.search("")
            assertEquals(listOf(product), catalogue.view.value.products.map { it.id })
            sitiSync.refresh()
            assertNull(assertNotNull(sitiSync.view.value.status).refusals)
        }
    }
}
