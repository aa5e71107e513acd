import Foundation
import SentraFFI

/// The language of what the user reads: Bahasa Indonesia first, English second.
public enum Lang: Sendable {
    case id, en

    /// Indonesian unless the device prefers English.
    public static var current: Lang {
        (Locale.preferredLanguages.first ?? "id").hasPrefix("en") ? .en : .id
    }

    func pick(_ id: String, _ en: String) -> String { self == .id ? id : en }
}

/// What the user reads about a failure: a sentence and one hint per field.
public struct UserMessage: Equatable, Sendable {
    public let text: String
    public let fields: [String: String]
}

extension SentraError {
    /// The fields every case carries.
    var parts: (code: ErrorCode, id: String, en: String, fields: [FieldProblem], server: String?) {
        switch self {
        case let .Validation(c, i, e, f, s), let .NotFound(c, i, e, f, s), let .InvalidTransition(c, i, e, f, s),
             let .NotSentraDatabase(c, i, e, f, s), let .DatabaseCorrupt(c, i, e, f, s), let .SchemaTooNew(c, i, e, f, s),
             let .StorageFull(c, i, e, f, s), let .Storage(c, i, e, f, s), let .NotAnImage(c, i, e, f, s),
             let .HeicNotSupported(c, i, e, f, s),
             let .TruncatedImage(c, i, e, f, s), let .TooManyPixels(c, i, e, f, s), let .FileTooLarge(c, i, e, f, s),
             let .UnreadableFile(c, i, e, f, s), let .UnsupportedImage(c, i, e, f, s), let .Network(c, i, e, f, s),
             let .SignInRefused(c, i, e, f, s), let .Internal(c, i, e, f, s):
            return (c, i, e, f, s)
        }
    }

    /// The stable code.
    public var code: ErrorCode { parts.code }
}

/// A failure as the user reads it is a `Result`'s failure.
extension UserMessage: Error {}

/// Turns failures into text: the core's messages for its codes; the server's refusals and why a
/// sync stopped are worded here, as in android/shared-logic's ErrorText.
public enum ErrorText {
    public static func of(_ error: SentraError, _ lang: Lang = .current) -> UserMessage {
        let p = error.parts
        let text = p.server.flatMap { server($0, lang) } ?? lang.pick(p.id, p.en)
        var fields: [String: String] = [:]
        for f in p.fields { fields[f.field] = lang.pick(f.messageId, f.messageEn) }
        return UserMessage(text: text, fields: fields)
    }

    /// Runs a call of the core: its value, or its failure worded for the user.
    public static func attempt<T>(_ lang: Lang, _ call: () throws -> T) -> Result<T, UserMessage> {
        do {
            return .success(try call())
        } catch let error as SentraError {
            return .failure(of(error, lang))
        } catch {
            return .failure(UserMessage(text: lang.pick("Terjadi kesalahan: \(error)", "Something went wrong: \(error)"), fields: [:]))
        }
    }

    public static func server(_ code: String, _ lang: Lang) -> String? {
        switch code {
        case "bad_credentials": return lang.pick("Nomor HP, nama, atau PIN salah.", "Wrong phone number, name or PIN.")
        case "locked_out": return lang.pick("Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.", "Too many attempts. Wait a little and try again.")
        case "too_many_attempts": return lang.pick("Terlalu banyak PIN salah dari ponsel ini. Tunggu 15 menit lalu coba lagi.", "Too many wrong PINs from this phone. Wait 15 minutes and try again.")
        case "unauthorized": return lang.pick("Sesi berakhir. Silakan masuk lagi.", "Your session ended. Please sign in again.")
        case "unsupported_version": return lang.pick("Versi aplikasi terlalu lama. Perbarui aplikasi.", "This app version is too old. Please update.")
        case "wrong_device": return lang.pick("Akun ini masuk dari ponsel lain. Silakan masuk lagi.", "This account signed in on another phone. Please sign in again.")
        case "rate_limited": return lang.pick("Server sedang sibuk. Coba lagi nanti.", "The server is busy. Try again later.")
        default: return nil
        }
    }

    public static func syncStopped(_ stoppedBy: SyncStop?, _ lang: Lang) -> String? {
        guard let stoppedBy else { return nil }
        switch stoppedBy {
        case .cancelled: return lang.pick("Sinkronisasi dihentikan.", "Sync stopped.")
        case .deadline: return lang.pick("Waktu habis; sisanya dikirim nanti.", "Out of time; the rest goes later.")
        case .byteBudget: return lang.pick("Batas kuota tercapai; sisanya dikirim nanti.", "Data limit reached; the rest goes later.")
        case .network: return lang.pick("Tidak ada sinyal. Dicoba lagi otomatis.", "No signal. Retrying automatically.")
        case .refused(let code):
            return server(code, lang) ?? lang.pick("Server menolak permintaan.", "The server refused the request.")
        }
    }
}

/// What a sync did to the user's own work, in the user's language (android/shared-logic's
/// `NoticeText` words it the same way).
public enum NoticeText {
    public static func of(_ notice: Notice, _ lang: Lang) -> String {
        switch notice.kind {
        case .editLostToDelete:
            return lang.pick(
                "Perubahan Anda pada \u{201C}\(notice.name)\u{201D} tidak tersimpan: produk ini sudah dihapus di perangkat lain.",
                "Your change to \u{201C}\(notice.name)\u{201D} was not kept: the product was deleted on another device.")
        case .other:
            return lang.pick("Ada kabar tentang \u{201C}\(notice.name)\u{201D} dari sinkronisasi.",
                             "A sync left a notice about \u{201C}\(notice.name)\u{201D}.")
        }
    }
}
