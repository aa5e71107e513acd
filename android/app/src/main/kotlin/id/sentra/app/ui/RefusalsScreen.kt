package id.sentra.app.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
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
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.RefusalsState
import id.sentra.app.logic.RefusalsView
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Every change the server refused, with its reason, and what to do: open the product to fix
 * it, send it again, or discard it and take the server's state.
 */
@Composable
fun RefusalsScreen(app: SentraApp, openProduct: (String) -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val refusals = remember(open.device) { RefusalsState(open.device, app.lang) }
    var view by remember { mutableStateOf(RefusalsView()) }
    val scope = rememberCoroutineScope()
    LaunchedEffect(open.version) { view = withContext(Dispatchers.IO) { refusals.refresh() } }
    fun act(call: () -> Unit) = scope.launch {
        withContext(Dispatchers.IO) { call() }
        view = refusals.view
    }
    Screen(stringResource(R.string.refusals_title)) {
        if (view.lines.isEmpty()) Text(stringResource(R.string.refusals_none))
        Problem(view.message)
        LazyColumn {
            items(view.lines, key = { it.seq }) { line ->
                Card {
                    Text(line.what)
                    Text(line.why)
                    Row {
                        if (line.fixInEditor && line.entity == "product") {
                            OutlinedButton(onClick = { openProduct(line.entityId) }) { Text(stringResource(R.string.refusals_fix)) }
                        }
                        OutlinedButton(onClick = { act { refusals.sendAgain(line.seq) } }) { Text(stringResource(R.string.refusals_send_again)) }
                        OutlinedButton(onClick = { act { refusals.discard(line.seq) } }) { Text(stringResource(R.string.refusals_discard)) }
                    }
                }
            }
        }
    }
}
