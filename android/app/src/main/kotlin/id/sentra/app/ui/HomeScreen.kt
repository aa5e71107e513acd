package id.sentra.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.OrdersBoard
import id.sentra.app.logic.SalesEntry
import id.sentra.app.logic.SyncController
import id.sentra.ffi.ProductPageQuery
import id.sentra.ffi.Role
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** The producer's home: orders due, stock alerts, today's sales and the sync status. */
@Composable
fun HomeScreen(app: SentraApp, go: (String) -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val board = remember(open.device) { OrdersBoard(open.device, app.lang) }
    val sync = remember(open.device) { SyncController(open.device, app.sessions.of(open.login), app.lang) }
    val orders by board.view.collectAsState()
    val status by sync.view.collectAsState()
    var today by remember { mutableStateOf("") }
    var lowStock by remember { mutableStateOf(0) }
    val scope = rememberCoroutineScope()
    LaunchedEffect(open.version) {
        withContext(Dispatchers.IO) {
            board.refresh()
            sync.refresh()
            today = SalesEntry(open.device, app.lang).todayTotal()
            lowStock = open.device.listProducts(ProductPageQuery(limit = 200)).count { it.totalStock <= 2 || it.oversold }
        }
    }
    val role = remember(open.device) { runCatching { open.device.account()?.role }.getOrNull() }
    Screen(stringResource(R.string.home_title)) {
        Card {
            Text(stringResource(R.string.home_orders_due, orders.counts.toRespond, orders.counts.toShip))
            if (orders.counts.overdue > 0) Text(stringResource(R.string.home_overdue, orders.counts.overdue))
        }
        Card { Text(stringResource(R.string.home_stock_alerts, lowStock)) }
        Card { Text(stringResource(R.string.home_sales_today, today)) }
        // What a sync did to the user's own work (an edit lost to a delete on another phone).
        status.notices.forEach { notice ->
            Card {
                Text(notice.text)
                OutlinedButton(onClick = { scope.launch(Dispatchers.IO) { sync.dismiss(notice.id) } }) {
                    Text(stringResource(R.string.notice_dismiss))
                }
            }
        }
        Card {
            Text(stringResource(R.string.home_sync_waiting, status.waiting, status.photosWaiting))
            status.problem?.let { Text(it) }
            SyncDetails(status.status) { go("refusals") }
            status.progress?.let { p ->
                LinearProgressIndicator(progress = { p.pushed.toFloat() / maxOf(1L, p.pushed + p.toPush) })
            }
            Button(enabled = !status.running, onClick = { scope.launch { sync.syncNow(app.syncNowSettings()) } }) {
                Text(stringResource(R.string.home_sync_now))
            }
            if (status.running) OutlinedButton(onClick = sync::cancel) { Text(stringResource(R.string.sync_stop)) }
            PhotoDataSwitch(app)
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = { go("catalogue") }) { Text(stringResource(R.string.nav_catalogue)) }
            Button(onClick = { go("orders") }) { Text(stringResource(R.string.nav_orders)) }
            Button(onClick = { go("sale") }) { Text(stringResource(R.string.nav_sale)) }
        }
        OutlinedButton(onClick = { go("sales") }) { Text(stringResource(R.string.nav_sales_history)) }
        if (role == Role.FACILITATOR) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = { go("producers") }) { Text(stringResource(R.string.nav_producers)) }
                OutlinedButton(onClick = { go("register") }) { Text(stringResource(R.string.nav_register)) }
            }
        }
        OutlinedButton(onClick = { go("selling") }) { Text(stringResource(R.string.nav_selling)) }
        OutlinedButton(onClick = { go("switch") }) { Text(stringResource(R.string.nav_switch)) }
    }
}
