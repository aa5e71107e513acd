package id.sentra.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import id.sentra.app.R
import id.sentra.app.logic.StockActions
import id.sentra.app.logic.StockResult
import id.sentra.app.logic.UserMessage
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * One saved variant's stock on the product screen: what is in stock now, "add stock" for what
 * arrived, and "correct after counting" with a reason. [StockActions] decides; this draws it.
 */
@Composable
fun StockPanel(actions: StockActions, productId: String, variantId: String, stock: String, onChanged: () -> Unit) {
    var arrived by remember(variantId) { mutableStateOf("") }
    var counted by remember(variantId) { mutableStateOf("") }
    var reason by remember(variantId) { mutableStateOf("") }
    var problem by remember(variantId) { mutableStateOf<UserMessage?>(null) }
    var history by remember(variantId) { mutableStateOf<List<String>>(emptyList()) }
    val scope = rememberCoroutineScope()
    fun done(result: StockResult) {
        problem = (result as? StockResult.Refused)?.message
        if (result is StockResult.Done) {
            arrived = ""
            counted = ""
            reason = ""
            onChanged()
        }
    }
    Column {
        Text(stringResource(R.string.editor_stock_now, stock))
        Row {
            Field(stringResource(R.string.stock_arrived), arrived, problem?.fields?.get("quantity"), KeyboardType.Number) { arrived = it }
            OutlinedButton(onClick = {
                scope.launch { done(withContext(Dispatchers.IO) { actions.restock(productId, variantId, arrived) }) }
            }) { Text(stringResource(R.string.stock_add)) }
        }
        Field(stringResource(R.string.stock_counted), counted, problem?.fields?.get("delta"), KeyboardType.Number) { counted = it }
        Field(stringResource(R.string.stock_reason), reason, problem?.fields?.get("reason")) { reason = it }
        OutlinedButton(onClick = {
            scope.launch { done(withContext(Dispatchers.IO) { actions.correctTo(productId, variantId, counted, reason) }) }
        }) { Text(stringResource(R.string.stock_correct)) }
        Problem(problem)
        OutlinedButton(onClick = {
            scope.launch {
                history = withContext(Dispatchers.IO) { actions.history(variantId).map { "${it.delta}  ${it.text}" } }
            }
        }) { Text(stringResource(R.string.stock_history)) }
        history.forEach { Text(it) }
    }
}
