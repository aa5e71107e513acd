package id.sentra.app.sync

import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.pm.ServiceInfo
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.work.CoroutineWorker
import androidx.work.ForegroundInfo
import androidx.work.WorkerParameters
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.EveryAccountSync
import id.sentra.app.logic.SyncPolicy

/**
 * One background sync of every account on the phone (a shared phone's other producers' sales
 * and orders must not wait until someone switches to them), each in its turn with its own
 * token and file; then each account's new orders are announced and its respond-deadline
 * reminders scheduled (text and times from shared-logic's [id.sentra.app.logic.OrderWatch]).
 * WorkManager gives a worker about 10 minutes: each account gets its share of the window, and
 * the sync's deadline ends inside it. When WorkManager stops the work early it cancels this
 * coroutine, and the bindings then cancel the Rust sync between two requests: what was sent
 * stays sent, the rest goes next time.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as SentraApp
        val every = EveryAccountSync(app.accounts, app.sessions::of, app.sessions.photoRetries, app.lang)
        val targets = every.targets().size
        if (targets == 0) return Result.success() // nobody signed in: nothing to do
        val settings = SyncPolicy.settings(
            windowMs = WINDOW_MS / targets,
            unmetered = Network.isUnmetered(applicationContext),
            allowMobileData = app.sessions.allowMobileData,
        )
        val open = app.current.value?.let { it.login to it.device }
        val runs = runCatching { every.run(settings, open) }.getOrElse { return Result.retry() }
        runs.forEach { OrderNotifier.deliver(applicationContext, it.login, it.alerts) }
        return when {
            runs.all { it.report?.completed == true } -> Result.success()
            // An account whose token was refused is skipped from now on (its session is gone).
            runs.all { it.report?.completed == true || it.report?.let(SyncPolicy::mustSignInAgain) == true } -> Result.success()
            else -> Result.retry()
        }
    }

    override suspend fun getForegroundInfo(): ForegroundInfo {
        val manager = applicationContext.getSystemService(NotificationManager::class.java)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            manager.createNotificationChannel(
                NotificationChannel(CHANNEL, applicationContext.getString(R.string.sync_channel), NotificationManager.IMPORTANCE_LOW),
            )
        }
        val notification = NotificationCompat.Builder(applicationContext, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(applicationContext.getString(R.string.sync_running))
            .setOngoing(true)
            .build()
        return if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
            ForegroundInfo(NOTIFICATION_ID, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC)
        } else {
            ForegroundInfo(NOTIFICATION_ID, notification)
        }
    }

    companion object {
        /** WorkManager's execution window for a worker. */
        const val WINDOW_MS = 10 * 60_000L
        private const val CHANNEL = "sync"
        private const val NOTIFICATION_ID = 7
    }
}
