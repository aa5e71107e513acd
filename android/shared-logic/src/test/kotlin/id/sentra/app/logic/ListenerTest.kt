package id.sentra.app.logic

import id.sentra.ffi.Change
import id.sentra.ffi.SentraDevice
import id.sentra.ffi.SyncCancel
import id.sentra.ffi.SyncListener
import id.sentra.ffi.SyncProgress
import id.sentra.ffi.SyncSettings
import id.sentra.ffi.SyncStop
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Progress and change listeners, and stopping a sync. */
class ListenerTest {
    /** A facilitator's phone with [products] unsynced products. */
    private suspend fun busyPhone(server: TestServer, products: Int): Pair<SentraDevice, Session> {
        val store = MemorySessionStore()
        val device = AccountBook(File(server.dir, "phone")).signIn(server.url, TestServer.FACILITATOR, TestServer.FACILITATOR_SECRET, store)
        val producer = assertNotNull(ProducerDirectory(device, Lang.ID).register(siti()))
        repeat(products) { i ->
            val editor = ProductEditor(device, Lang.ID, producer) // one editor screen per product
            editor.edit { jeans(producer, "Celana Jeans model %03d".format(i)) }
            assertNotNull(editor.save())
        }
        return device to store.load()!!
    }

    private fun waiting(device: SentraDevice) = device.syncStatus().pending.sumOf { it.count }

    @Test
    fun `progress arrives from a tokio thread while a sync runs and cancelling stops it cleanly`() = runBlocking {
        TestServer().use { server ->
            val (device, session) = busyPhone(server, 120)
            val before = waiting(device)
            val caller = Thread.currentThread()
            val cancel = SyncCancel()
            val calls = Collections.synchronizedList(mutableListOf<Pair<Thread, SyncProgress>>())
            val listener = object : SyncListener {
                override fun onProgress(progress: SyncProgress) {
                    calls += Thread.currentThread() to progress
                    if (calls.size == 3) cancel.cancel()
                }
            }
            val settings = SyncSettings(pushBatchBytes = 8_000)
            val report = device.sync(session.serverUrl, session.token, settings, listener, cancel)
            assertFalse(report.completed)
            assertEquals(SyncStop.Cancelled, report.stoppedBy)
            assertEquals(3, calls.size)
            assertTrue(calls.all { it.first !== caller }, "progress must come from the runtime's threads")
            val pushed = calls.map { it.second.pushed }
            assertEquals(pushed.sorted(), pushed)
            assertTrue(pushed.last() > 0)
            val left = waiting(device)
            assertTrue(left in 1 until before, "$left of $before left")
            assertEquals("Sinkronisasi dihentikan.", SyncController(device, MemorySessionStore(session), Lang.ID).also { it.refresh() }.view.value.problem)

            // Nothing is lost or wedged: the next sync sends the rest.
            val again = device.sync(session.serverUrl, session.token, settings, null, SyncCancel())
            assertTrue(again.completed && again.rejected == 0L, again.toString())
            assertEquals(before, report.pushed + again.pushed)
            assertEquals(0L, waiting(device))
            device.close()
        }
    }

    @Test
    fun `cancelling the coroutine that awaits a sync stops the sync itself`() = runBlocking {
        TestServer().use { server ->
            val (device, session) = busyPhone(server, 120)
            val started = CountDownLatch(1)
            val listener = object : SyncListener {
                override fun onProgress(progress: SyncProgress) {
                    started.countDown()
                    Thread.sleep(50) // a slow UI: give the cancel time to land between requests
                }
            }
            val job = async(Dispatchers.IO, start = CoroutineStart.DEFAULT) {
                device.sync(session.serverUrl, session.token, SyncSettings(pushBatchBytes = 4_000), listener, SyncCancel())
            }
            assertTrue(started.await(30, TimeUnit.SECONDS))
            job.cancel()
            val deadline = System.nanoTime() + 30_000_000_000
            while (device.syncStatus().lastError != SyncStop.Cancelled) {
                assertTrue(System.nanoTime() < deadline, "the sync went on after its caller left")
                Thread.sleep(20)
            }
            assertTrue(waiting(device) > 0)
            device.close()
        }
    }

    @Test
    fun `writes tell the change listener, and the catalogue comes a page of 50 at a time`() {
        val dir = tempDir()
        SentraDevice.open(File(dir, "a.db").path).use { device ->
            val changes = Changes()
            device.setChangeListener(changes)
            val producer = assertNotNull(ProducerDirectory(device, Lang.EN).register(siti()))
            repeat(120) { i ->
                val editor = ProductEditor(device, Lang.EN, producer)
                editor.edit { jeans(producer, "Sarung tenun %03d".format(i)) }
                assertNotNull(editor.save())
            }
            assertEquals(listOf(Change.PRODUCERS, Change.CATALOGUE), changes.seen.take(2))
            assertEquals(121, changes.seen.size)

            val catalogue = CatalogueState(device, Lang.EN)
            catalogue.search("")
            assertEquals(50, catalogue.view.value.products.size)
            catalogue.loadMore()
            catalogue.loadMore()
            assertEquals(120, catalogue.view.value.products.map { it.id }.toSet().size)
            assertTrue(catalogue.view.value.endReached)
            assertEquals("Stock 15", catalogue.view.value.products.first().stockText)
            catalogue.search("tenun 042")
            assertEquals(listOf("Sarung tenun 042"), catalogue.view.value.products.map { it.name })

            device.setChangeListener(null)
            assertNotNull(ProductEditor(device, Lang.EN, producer).apply { edit { jeans(producer) } }.save())
            assertEquals(121, changes.seen.size)
        }
        dir.deleteRecursively()
    }
}
