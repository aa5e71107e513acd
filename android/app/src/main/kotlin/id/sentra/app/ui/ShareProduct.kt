package id.sentra.app.ui

import android.content.Intent
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.EditorView
import id.sentra.app.logic.Rupiah
import id.sentra.app.logic.Share

/**
 * "Bagikan ke WhatsApp" on a saved, listed product: the system share sheet (WhatsApp first for
 * most sellers) with the same text and storefront link the storefront's own share link sends
 * ([Share]); the link unfolds into a card with the photo and the price.
 */
@Composable
fun ShareProductButton(app: SentraApp, view: EditorView) {
    val id = view.savedId ?: return
    if (!view.draft.listed) return
    val account by app.current.collectAsState()
    val open = account ?: return
    val server = remember(open.login) { app.sessions.of(open.login).load()?.serverUrl } ?: return
    val context = LocalContext.current
    val d = view.draft
    val base = Rupiah.parse(d.price) ?: 0L
    val prices = d.variants.map { Rupiah.parse(it.price) ?: base }.ifEmpty { listOf(base) }
    val text = Share.productText(d.name, prices.min(), prices.max(), d.unit, Share.productUrl(server, id), app.lang)
    val label = stringResource(R.string.share_product)
    OutlinedButton(onClick = {
        val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
        context.startActivity(Intent.createChooser(send, label))
    }) { Text(label) }
}
