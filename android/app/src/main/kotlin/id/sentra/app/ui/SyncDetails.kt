package id.sentra.app.ui

import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.res.stringResource
import id.sentra.app.R
import id.sentra.app.logic.SyncStatusLines

/**
 * The sync card's status lines (worded by [id.sentra.app.logic.SyncStatusText]): when the phone
 * last synced, the photo being sent with its progress, refusals with a way to see them, a
 * warning when the clock is far off, and the data used this month.
 */
@Composable
fun SyncDetails(lines: SyncStatusLines?, openRefusals: () -> Unit) {
    val shown = lines ?: return
    Text(shown.lastSync)
    shown.photos?.let { Text(it) }
    shown.photoPercent?.let { percent -> LinearProgressIndicator(progress = { percent / 100f }) }
    shown.refusals?.let {
        Text(it, color = MaterialTheme.colorScheme.error)
        OutlinedButton(onClick = openRefusals) { Text(stringResource(R.string.refusals_title)) }
    }
    shown.clock?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    Text(shown.data)
}
