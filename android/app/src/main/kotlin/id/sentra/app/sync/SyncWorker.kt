package id.sentra.app.sync

import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.pm.ServiceInfo
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.work.CoroutineWorker
import androidx.work.ForegroundInfo
import androidx.work.WorkerParameters
import id.sentra.app.R
import id.sentra.app.SentraApp
import id.sentra.app.logic.SyncController
import id.sentra.app.logic.SyncPolicy

/**
 * One background sync of the account in use. WorkManager gives a worker about 10 minutes; the
 * sync's deadline ends a minute before. When WorkManager stops the work early (the window
 * closes, the network is lost) it cancels this coroutine, and the bindings then cancel the
 * Rust sync between two requests (android/shared-logic's ListenerTest checks exactly that):
 * what was sent stays sent, the rest goes next time.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val app = applicationContext as SentraApp
        val account = app.current.value ?: return Result.success()
        val sync = SyncController(account.device, app.sessions.of(account.login), app.lang)
        val settings = SyncPolicy.settings(
            windowMs = WINDOW_MS,
            unmetered = isUnmetered(),
            allowMobileData = app.sessions.allowMobileData,
        )
        val report = runCatching { sync.syncNow(settings) }.getOrElse { return Result.retry() }
            ?: return Result.success() // signed out: nothing to do until the user signs in
        return when {
            report.completed -> Result.success()
            SyncPolicy.mustSignInAgain(report) -> Result.failure()
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

    private fun isUnmetered(): Boolean {
        val connectivity = applicationContext.getSystemService(ConnectivityManager::class.java)
        val capabilities = connectivity.getNetworkCapabilities(connectivity.activeNetwork) ?: return false
        return capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED)
    }

    companion object {
        /** WorkManager's execution window for a worker. */
        const val WINDOW_MS = 10 * 60_000L
        private const val CHANNEL = "sync"
        private const val NOTIFICATION_ID = 7
    }
}
