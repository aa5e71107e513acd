package id.sentra.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.RadioButton
import androidx.compose.material3.ScrollableTabRow
import androidx.compose.material3.Tab
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.res.stringResource
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.OrdersBoard
import id.sentra.app.logic.RejectReason
import id.sentra.ffi.OrderTab
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** Orders by tab with counts and deadlines; accept, reject, ship, complete. */
@Composable
fun OrdersScreen(app: SentraApp) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val board = remember(open.device) { OrdersBoard(open.device, app.lang) }
    val view by board.view.collectAsState()
    val scope = rememberCoroutineScope()
    var shipping by remember { mutableStateOf<String?>(null) }
    var courier by remember { mutableStateOf("") }
    var tracking by remember { mutableStateOf("") }
    var rejecting by remember { mutableStateOf<String?>(null) }
    var reason by remember { mutableStateOf(RejectReason.OUT_OF_STOCK) }
    var typed by remember { mutableStateOf("") }
    LaunchedEffect(open.version) { withContext(Dispatchers.IO) { board.refresh() } }
    val tabs = listOf(
        OrderTab.TO_RESPOND to stringResource(R.string.tab_to_respond, view.counts.toRespond),
        OrderTab.TO_SHIP to stringResource(R.string.tab_to_ship, view.counts.toShip),
        OrderTab.SHIPPED to stringResource(R.string.tab_shipped, view.counts.shipped),
        OrderTab.COMPLETED to stringResource(R.string.tab_completed, view.counts.completed),
        OrderTab.CANCELLED to stringResource(R.string.tab_cancelled, view.counts.cancelled),
    )
    Screen(stringResource(R.string.nav_orders)) {
        ScrollableTabRow(selectedTabIndex = tabs.indexOfFirst { it.first == view.tab }) {
            tabs.forEach { (tab, label) ->
                Tab(selected = view.tab == tab, onClick = { scope.launch(Dispatchers.IO) { board.select(tab) } }, text = { Text(label) })
            }
        }
        Problem(view.message)
        LazyColumn {
            items(view.orders, key = { it.id }) { order ->
                Card {
                    Column {
                        Text("${order.code} · ${order.buyerName}")
                        Text("${order.totalText} · ${order.statusText}")
                        order.dueText?.let {
                            Text(it, color = if (order.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface)
                        }
                        PaymentOnOrder(app, order.id, closed = view.tab == OrderTab.CANCELLED, version = open.version)
                        Row {
                            when (view.tab) {
                                OrderTab.TO_RESPOND -> {
                                    Button(onClick = { scope.launch(Dispatchers.IO) { board.accept(order.id) } }) { Text(stringResource(R.string.order_accept)) }
                                    OutlinedButton(onClick = { rejecting = order.id }) {
                                        Text(stringResource(R.string.order_reject))
                                    }
                                }
                                OrderTab.TO_SHIP -> Button(onClick = { shipping = order.id }) { Text(stringResource(R.string.order_ship)) }
                                OrderTab.SHIPPED -> Button(onClick = { scope.launch(Dispatchers.IO) { board.complete(order.id) } }) {
                                    Text(stringResource(R.string.order_complete))
                                }
                                else -> Unit
                            }
                        }
                    }
                }
            }
        }
    }
    // The reason is picked from the common ones or typed; shared-logic decides what is sent.
    rejecting?.let { id ->
        AlertDialog(
            onDismissRequest = { rejecting = null },
            title = { Text(stringResource(R.string.order_reject)) },
            text = {
                Column {
                    RejectReason.entries.forEach { choice ->
                        Row(verticalAlignment = Alignment.CenterVertically) {
                            RadioButton(selected = reason == choice, onClick = { reason = choice })
                            Text(choice.label(app.lang))
                        }
                    }
                    if (reason == RejectReason.OTHER) {
                        Field(stringResource(R.string.order_reject_typed), typed, view.message?.text) { typed = it }
                    }
                }
            },
            confirmButton = {
                Button(onClick = {
                    scope.launch {
                        if (withContext(Dispatchers.IO) { board.reject(id, reason, typed) }) {
                            rejecting = null
                            typed = ""
                        }
                    }
                }) { Text(stringResource(R.string.order_reject)) }
            },
        )
    }
    shipping?.let { id ->
        AlertDialog(
            onDismissRequest = { shipping = null },
            title = { Text(stringResource(R.string.order_ship)) },
            text = {
                Column {
                    Field(stringResource(R.string.order_courier), courier, view.message?.fields?.get("courier")) { courier = it }
                    Field(stringResource(R.string.order_tracking), tracking, view.message?.fields?.get("tracking_no")) { tracking = it }
                }
            },
            confirmButton = {
                Button(onClick = {
                    scope.launch {
                        if (withContext(Dispatchers.IO) { board.ship(id, courier, tracking) }) shipping = null
                    }
                }) { Text(stringResource(R.string.order_ship)) }
            },
        )
    }
}
