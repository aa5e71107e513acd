package id.sentra.app.logic

/** The language of what the user reads: Bahasa Indonesia first, English second. */
enum class Lang {
    /** Bahasa Indonesia, the default. */
    ID,

    /** English. */
    EN;

    /** Picks the text for this language. */
    fun pick(id: String, en: String): String = if (this == ID) id else en

    companion object {
        /** The language for a locale tag such as "in-ID", "id" or "en-US"; Indonesian otherwise. */
        fun of(tag: String): Lang = if (tag.lowercase().startsWith("en")) EN else ID
    }
}
