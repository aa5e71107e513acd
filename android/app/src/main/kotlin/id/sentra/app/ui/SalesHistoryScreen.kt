package id.sentra.app.ui

import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.style.TextDecoration
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.SaleLine
import id.sentra.app.logic.SalesHistory
import id.sentra.app.logic.SalesHistoryView
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Past direct sales (the last 30 days), newest first, voided ones struck out; a mistyped sale
 * is voided with a reason, and the void syncs to every phone and the dashboard.
 */
@Composable
fun SalesHistoryScreen(app: SentraApp) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val history = remember(open.device) { SalesHistory(open.device, app.lang) }
    var view by remember { mutableStateOf<SalesHistoryView?>(null) }
    var voiding by remember { mutableStateOf<SaleLine?>(null) }
    var reason by remember { mutableStateOf("") }
    val scope = rememberCoroutineScope()
    LaunchedEffect(open.version) { view = withContext(Dispatchers.IO) { history.load() } }
    Screen(stringResource(R.string.sales_history_title)) {
        val shown = view ?: return@Screen
        Text(stringResource(R.string.sales_history_total, shown.total))
        Problem(shown.message)
        LazyColumn {
            items(shown.lines, key = { it.id }) { line ->
                ListItem(
                    headlineContent = {
                        Text(line.title, textDecoration = if (line.voided) TextDecoration.LineThrough else null)
                    },
                    supportingContent = {
                        Text("${line.day} · ${line.channel} · ${line.detail} = ${line.total}")
                        line.voidText?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                    },
                    trailingContent = {
                        if (!line.voided) OutlinedButton(onClick = { voiding = line }) { Text(stringResource(R.string.sales_void)) }
                    },
                )
            }
        }
    }
    voiding?.let { line ->
        AlertDialog(
            onDismissRequest = { voiding = null },
            title = { Text(stringResource(R.string.sales_void_confirm, line.title, line.total)) },
            text = { Field(stringResource(R.string.sales_void_reason), reason, null) { reason = it } },
            confirmButton = {
                TextButton(onClick = {
                    scope.launch {
                        withContext(Dispatchers.IO) { history.void(line.id, reason) }
                        view = history.view
                        voiding = null
                        reason = ""
                    }
                }) { Text(stringResource(R.string.sales_void)) }
            },
            dismissButton = { TextButton(onClick = { voiding = null }) { Text(stringResource(R.string.cancel)) } },
        )
    }
}
