package id.sentra.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import coil.compose.AsyncImage
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.CatalogueState
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File

/** The catalogue with search: one page of 50 products per call to the core, more on scroll. */
@Composable
fun CatalogueScreen(app: SentraApp, onOpen: (String) -> Unit, onNew: () -> Unit) {
    val account by app.current.collectAsState()
    val open = account ?: return
    val session = remember(open.device) { app.sessions.of(open.login).load() }
    val producerId = session?.producerId
    val catalogue = remember(open.device) { CatalogueState(open.device, app.lang, producerId) }
    val view by catalogue.view.collectAsState()
    var search by remember { mutableStateOf("") }
    val scope = rememberCoroutineScope()
    LaunchedEffect(open.version) { withContext(Dispatchers.IO) { if (view.products.isEmpty()) catalogue.search(search) else catalogue.refresh() } }
    Screen(stringResource(R.string.nav_catalogue)) {
        OutlinedTextField(
            value = search,
            onValueChange = {
                search = it
                scope.launch(Dispatchers.IO) { catalogue.search(it) }
            },
            label = { Text(stringResource(R.string.catalogue_search)) },
            modifier = Modifier.fillMaxWidth(),
        )
        Button(onClick = onNew) { Text(stringResource(R.string.catalogue_new)) }
        Problem(view.error)
        LazyColumn {
            itemsIndexed(view.products, key = { _, p -> p.id }) { index, product ->
                if (index == view.products.size - 10) LaunchedEffect(view.products.size) { withContext(Dispatchers.IO) { catalogue.loadMore() } }
                ListItem(
                    modifier = Modifier.clickable { onOpen(product.id) },
                    leadingContent = {
                        // Photos this phone took are here; others' are fetched (and kept) when shown.
                        product.coverPhoto?.let { hash ->
                            val path by produceState<String?>(null, hash) {
                                value = withContext(Dispatchers.IO) {
                                    runCatching {
                                        open.device.photoPath(hash)?.takeIf { File(it).exists() }
                                            ?: session?.let { open.device.fetchPhoto(it.serverUrl, it.token, hash) }
                                    }.getOrNull()
                                }
                            }
                            path?.let { AsyncImage(model = File(it), contentDescription = null, modifier = Modifier.padding(4.dp)) }
                        }
                    },
                    headlineContent = { Text(product.name) },
                    supportingContent = {
                        Column {
                            Text(product.priceText)
                            Text(
                                product.stockText,
                                color = if (product.oversold) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                            )
                            // A product the server refused is not in the shop, whatever its status says.
                            Text(
                                product.statusText,
                                color = if (product.refused) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurfaceVariant,
                            )
                        }
                    },
                )
            }
        }
    }
}
