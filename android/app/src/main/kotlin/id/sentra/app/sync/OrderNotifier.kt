package id.sentra.app.sync

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import androidx.work.Data
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import id.sentra.app.MainActivity
import id.sentra.app.R
import id.sentra.app.logic.OrderAlert
import id.sentra.app.logic.OrderWatch
import java.util.concurrent.TimeUnit

/**
 * Posts what [OrderWatch] decided: a notification per new order now, and each waiting order's
 * reminder scheduled as delayed work ([ReminderWorker]). The text and the times come from
 * shared-logic; this only talks to Android.
 */
object OrderNotifier {
    private const val CHANNEL = "orders"

    /** Posts [alerts]' notifications and replaces [account]'s scheduled reminders with theirs. */
    fun deliver(context: Context, account: String, alerts: OrderWatch.Alerts) {
        alerts.now.forEach { post(context, it) }
        val work = WorkManager.getInstance(context)
        work.cancelAllWorkByTag(tag(account))
        alerts.reminders.forEach { reminder ->
            val delay = maxOf(0L, reminder.atMs - System.currentTimeMillis())
            val request = OneTimeWorkRequestBuilder<ReminderWorker>()
                .setInitialDelay(delay, TimeUnit.MILLISECONDS)
                .setInputData(
                    Data.Builder()
                        .putString(ReminderWorker.KEY, reminder.key)
                        .putString(ReminderWorker.TITLE, reminder.title)
                        .putString(ReminderWorker.TEXT, reminder.text)
                        .build(),
                )
                .addTag(tag(account))
                .build()
            work.enqueueUniqueWork(reminder.key, ExistingWorkPolicy.REPLACE, request)
        }
    }

    /** Shows one notification now (nothing when the user did not allow notifications). */
    fun post(context: Context, alert: OrderAlert) = show(context, alert.key, alert.title, alert.text)

    /** Shows a notification with this key (a later one with the same key replaces it). */
    fun show(context: Context, key: String, title: String, text: String) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            return
        }
        val manager = context.getSystemService(NotificationManager::class.java)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            manager.createNotificationChannel(
                NotificationChannel(CHANNEL, context.getString(R.string.orders_channel), NotificationManager.IMPORTANCE_HIGH),
            )
        }
        val open = PendingIntent.getActivity(
            context,
            0,
            Intent(context, MainActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_chat)
            .setContentTitle(title)
            .setContentText(text)
            .setStyle(NotificationCompat.BigTextStyle().bigText(text))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        NotificationManagerCompat.from(context).notify(key, 0, notification)
    }

    private fun tag(account: String) = "reminders:$account"
}
