package id.sentra.app.logic

/**
 * Money as Indonesians write it: integer rupiah with dots between thousands ("Rp 15.000").
 * The core keeps every amount as a whole number of rupiah; there are no cents.
 */
object Rupiah {
    /** "Rp 15.000", "-Rp 2.500", "Rp 0". */
    fun format(amount: Long): String {
        val digits = if (amount == Long.MIN_VALUE) "9223372036854775808" else Math.abs(amount).toString()
        val grouped = StringBuilder(digits.length + digits.length / 3)
        digits.forEachIndexed { i, c ->
            if (i > 0 && (digits.length - i) % 3 == 0) grouped.append('.')
            grouped.append(c)
        }
        return if (amount < 0) "-Rp $grouped" else "Rp $grouped"
    }

    /**
     * What a seller typed in a price field ("15.000", "Rp 15.000", "15000") as rupiah, or
     * `null` when it is not a whole, non-negative amount. Commas are refused: "15,5" is not a
     * rupiah amount.
     */
    fun parse(text: String): Long? {
        val cleaned = text.trim().removePrefix("Rp").removePrefix("rp").trim().replace(".", "").replace(" ", "")
        if (cleaned.isEmpty() || !cleaned.all { it in '0'..'9' }) return null
        return cleaned.toLongOrNull()
    }
}
