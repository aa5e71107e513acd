import Foundation
import SentraKit
import XCTest

/// Photos on prepaid data, through SentraKit's PhotoPolicy with a real phone JPEG, the real
/// library and a real server: on mobile data only thumbnails go until "use mobile data for photos"
/// is on; a photo whose upload failed is put back in the queue when a retry is due, and arrives.
final class PhotoPolicyTests: XCTestCase {
    func testTheSwitchAndTheRetryScheduleInBothLanguages() {
        XCTAssertEqual(PhotoPolicy.switchLabel(.id), "Pakai data seluler untuk foto")
        XCTAssertEqual(PhotoPolicy.switchLabel(.en), "Use mobile data for photos")
        XCTAssertEqual(PhotoPolicy.switchHint(.id, allowMobileData: false),
                       "Lewat data seluler hanya foto kecil yang dikirim; foto penuh menunggu Wi-Fi.")
        XCTAssertEqual(PhotoPolicy.switchHint(.en, allowMobileData: true), "Full-size photos also go over mobile data.")
        XCTAssertTrue(PhotoPolicy.syncNow(unmetered: false, allowMobileData: false).thumbnailsOnly)
        XCTAssertFalse(PhotoPolicy.syncNow(unmetered: false, allowMobileData: true).thumbnailsOnly)
        XCTAssertFalse(PhotoPolicy.syncNow(unmetered: true, allowMobileData: false).thumbnailsOnly)
        XCTAssertFalse(PhotoPolicy.retryDue(failed: 0, lastRetryMs: nil, now: 0), "nothing failed: nothing to retry")
        XCTAssertTrue(PhotoPolicy.retryDue(failed: 2, lastRetryMs: nil, now: 0))
        XCTAssertFalse(PhotoPolicy.retryDue(failed: 2, lastRetryMs: 1_000, now: 1_000 + PhotoPolicy.retryEveryMs - 1))
        XCTAssertTrue(PhotoPolicy.retryDue(failed: 2, lastRetryMs: 1_000, now: 1_000 + PhotoPolicy.retryEveryMs))
    }

    func testOnMobileDataOnlyThumbnailsGoAndAFailedUploadIsRetried() async throws {
        let server = try TestServer.running()
        let source = try phonePhoto()
        let phone = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let pendamping = try await phone.signed(server, server.facilitator, server.facilitatorSecret)
        let sitiPhone = freshPhone()
        let producer = try value(ProducerDirectory(device: pendamping.device, lang: .id)
            .register(draft("Konveksi Rowosari Jaya", phone: sitiPhone, region: server.region)))
        let product = try pendamping.device.createProduct(input: jeans(producer))
        let photo = try await pendamping.device.addPhoto(ownerId: product, sourcePath: source)
        let thumb = try XCTUnwrap(photo.thumbHash)

        // On mobile data with the switch off: the thumbnail goes, the 1280 px photo waits.
        let metered = try await pendamping.sync(PhotoPolicy.syncNow(unmetered: false, allowMobileData: false))
        XCTAssertTrue(metered.completed && metered.rejected == 0, "\(metered)")
        XCTAssertEqual(metered.photosSent, 1, "\(metered)")
        var status = try pendamping.device.syncStatus()
        XCTAssertEqual(status.photosWaiting, 1)
        XCTAssertEqual(status.photosUploaded, 1)
        XCTAssertEqual(SyncStatusText.photos(status, .id), "Foto: 1 menunggu")

        // The switch on, but the display file cannot be read (moved off the card): it fails.
        let display = try XCTUnwrap(try pendamping.device.photoPath(hash: photo.hash))
        let aside = display + ".aside"
        try FileManager.default.moveItem(atPath: display, toPath: aside)
        let missing = try await pendamping.sync(PhotoPolicy.syncNow(unmetered: false, allowMobileData: true))
        XCTAssertEqual(missing.photosSent, 0, "\(missing)")
        status = try pendamping.device.syncStatus()
        XCTAssertEqual(status.photosFailed, 1)
        XCTAssertEqual(status.photosWaiting, 0)
        XCTAssertEqual(SyncStatusText.photos(status, .id), "Foto: 1 gagal")
        XCTAssertEqual(SyncStatusText.photos(status, .en), "Photos: 1 failed")

        // The file is back; the next sync puts the failed photo back in the queue, once per
        // retry period, and it arrives.
        try FileManager.default.moveItem(atPath: aside, toPath: display)
        let retries = RememberedRetries()
        let now = nowMs()
        XCTAssertEqual(try PhotoPolicy.retryIfDue(pendamping.device, login: server.facilitator, clock: retries, now: now), 1)
        XCTAssertEqual(retries.last(server.facilitator), now)
        XCTAssertEqual(try pendamping.device.syncStatus().photosWaiting, 1)
        XCTAssertEqual(try PhotoPolicy.retryIfDue(pendamping.device, login: server.facilitator, clock: retries, now: now + 1), 0,
                       "nothing failed any more")
        let sent = try await pendamping.sync(PhotoPolicy.syncNow(unmetered: false, allowMobileData: true))
        XCTAssertTrue(sent.completed && sent.rejected == 0, "\(sent)")
        XCTAssertEqual(sent.photosSent, 1, "\(sent)")
        status = try pendamping.device.syncStatus()
        XCTAssertEqual([status.photosWaiting, status.photosFailed, status.photosUploaded], [0, 0, 2])
        XCTAssertNil(SyncStatusText.photos(status, .id))

        // The server has both: Siti's own phone fetches them, byte for byte.
        let own = AccountBook(directory: try temporaryDirectory(), sessions: MemorySessionStore())
        let siti = try await own.signed(server, sitiPhone, pin)
        let pulled = try await siti.sync()
        XCTAssertTrue(pulled.completed, "\(pulled)")
        XCTAssertEqual(try siti.device.photos(ownerId: product).map(\.hash), [photo.hash])
        for hash in [photo.hash, thumb] {
            let fetched = try await siti.device.fetchPhoto(serverUrl: server.url, token: siti.token, hash: hash)
            let original = try XCTUnwrap(try pendamping.device.photoPath(hash: hash))
            XCTAssertEqual(FileManager.default.contents(atPath: fetched), FileManager.default.contents(atPath: original), hash)
        }
    }
}
