package id.sentra.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.Text
import androidx.compose.foundation.layout.Row
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.Rupiah
import id.sentra.app.logic.SaleChannel
import id.sentra.app.logic.SaleDraft
import id.sentra.app.logic.SaleResult
import id.sentra.app.logic.SalesEntry
import id.sentra.app.logic.UserMessage
import id.sentra.ffi.ProductPageQuery
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** Quick direct-sale entry at the market: pick a product's variant, how many, where. */
@Composable
fun QuickSaleScreen(app: SentraApp, onDone: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val entry = remember(open.device) { SalesEntry(open.device, app.lang) }
    var draft by remember { mutableStateOf(SaleDraft()) }
    var search by remember { mutableStateOf("") }
    var choices by remember { mutableStateOf(listOf<Pair<String, String>>()) }
    var problem by remember { mutableStateOf<UserMessage?>(null) }
    val scope = rememberCoroutineScope()
    LaunchedEffect(search) {
        choices = withContext(Dispatchers.IO) {
            open.device.listProducts(ProductPageQuery(search = search.ifBlank { null }, limit = 20)).flatMap { row ->
                open.device.product(row.id).variants.map { v ->
                    v.id to "${row.name} ${v.options.joinToString(" ")} · ${Rupiah.format(v.effectivePrice)} · ${v.stock}"
                }
            }
        }
    }
    Screen(stringResource(R.string.nav_sale)) {
        Field(stringResource(R.string.catalogue_search), search, null) { search = it }
        LazyColumn {
            items(choices, key = { it.first }) { (id, label) ->
                ListItem(
                    modifier = Modifier.clickable { draft = draft.copy(variantId = id) },
                    headlineContent = { Text(if (draft.variantId == id) "✓ $label" else label) },
                )
            }
        }
        Field(stringResource(R.string.sale_quantity), draft.quantity, problem?.fields?.get("quantity"), KeyboardType.Number) {
            draft = draft.copy(quantity = it)
        }
        Field(stringResource(R.string.sale_price), draft.unitPrice, problem?.fields?.get("unit_price"), KeyboardType.Number) {
            draft = draft.copy(unitPrice = it)
        }
        Row {
            SaleChannel.entries.forEach { channel ->
                FilterChip(selected = draft.channel == channel, onClick = { draft = draft.copy(channel = channel) }, label = { Text(channel.label(app.lang)) })
            }
        }
        Problem(problem)
        Button(enabled = draft.variantId.isNotEmpty(), onClick = {
            scope.launch {
                when (val result = withContext(Dispatchers.IO) { entry.record(draft) }) {
                    is SaleResult.Recorded -> onDone()
                    is SaleResult.Refused -> problem = result.message
                }
            }
        }) { Text(stringResource(R.string.sale_record)) }
    }
}
