package id.sentra.app.ui

import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedButton
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
import androidx.compose.ui.res.stringResource
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.Clusters
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * A producer's clusters and cooperatives (facilitator mode): join one the phone knows, leave
 * one, or start a new cluster in the producer's region. The server applies the same rules as
 * the web's member page; a refused change shows among the refusals after the next sync.
 */
@Composable
fun ClustersScreen(app: SentraApp, producerId: String) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val clusters = remember(open.device, producerId) { Clusters(open.device, app.lang, producerId) }
    val view by clusters.view.collectAsState()
    val scope = rememberCoroutineScope()
    var name by remember { mutableStateOf("") }
    var kind by remember { mutableStateOf("cluster") }
    LaunchedEffect(open.version) { withContext(Dispatchers.IO) { clusters.refresh() } }
    val region = remember(open.device, producerId) { runCatching { open.device.producer(producerId).regionCode }.getOrDefault("") }
    Screen(stringResource(R.string.clusters_title)) {
        Problem(view.message)
        LazyColumn {
            items(view.organisations, key = { it.id }) { o ->
                ListItem(
                    headlineContent = { Text(o.name) },
                    supportingContent = { Text(o.kindText) },
                    trailingContent = {
                        if (o.member) {
                            OutlinedButton(onClick = { scope.launch(Dispatchers.IO) { clusters.leave(o.id) } }) {
                                Text(stringResource(R.string.clusters_leave))
                            }
                        } else {
                            Button(onClick = { scope.launch(Dispatchers.IO) { clusters.join(o.id) } }) {
                                Text(stringResource(R.string.clusters_join))
                            }
                        }
                    },
                )
            }
        }
        Field(stringResource(R.string.clusters_new_name), name, null) { name = it }
        Row {
            FilterChip(selected = kind == "cluster", onClick = { kind = "cluster" }, label = { Text(stringResource(R.string.clusters_kind_cluster)) })
            FilterChip(selected = kind == "cooperative", onClick = { kind = "cooperative" }, label = { Text(stringResource(R.string.clusters_kind_cooperative)) })
        }
        Button(enabled = name.isNotBlank(), onClick = {
            scope.launch { if (withContext(Dispatchers.IO) { clusters.create(kind, name, region) }) name = "" }
        }) { Text(stringResource(R.string.clusters_create)) }
    }
}
