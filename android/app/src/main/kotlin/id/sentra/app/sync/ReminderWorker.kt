package id.sentra.app.sync

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters

/** Shows one respond-deadline reminder at the time [OrderNotifier] scheduled it for. */
class ReminderWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val key = inputData.getString(KEY) ?: return Result.success()
        OrderNotifier.show(applicationContext, key, inputData.getString(TITLE).orEmpty(), inputData.getString(TEXT).orEmpty())
        return Result.success()
    }

    companion object {
        const val KEY = "key"
        const val TITLE = "title"
        const val TEXT = "text"
    }
}
