//! The facilitators' tools: the CSV import of producers (bad rows named by row and column, good
//! rows in, a re-import creating nothing, the producers reaching the facilitator's phone) and an
//! admin assigning a facilitator to a region.

use super::*;

on_both_backends!(
    an_import_names_bad_rows_and_columns_takes_the_good_ones_and_a_reimport_adds_nothing,
    a_windows_file_gets_its_real_line_numbers_every_problem_of_a_row_and_indonesian_sectors,
    an_admin_assigns_a_facilitator_to_a_region_from_the_web,
);

const IMPORT: &str = "\
nama_usaha,nama_pemilik,hp,alamat,kode_wilayah,sektor,tenaga_kerja,tahun_berdiri,nib,sertifikasi,setuju_tayang,tanggal_setuju,pin
Gula Kristal Sokaraja,Pak Darto,0813-2000-0001,Desa Sokaraja,3302,food_beverage,4,2012,,halal;pirt,ya,2026-02-01,
\"Jeans Rowosari, Abadi\",Bu Sri,0813-2000-0002,,3327,Fesyen & tekstil,12,,,,tidak,,
Tanpa HP,Pak Eko,12345,,3302,crafts,1,,,,,,
Sektor Salah,Bu Yuni,0813-2000-0004,,3302,otomotif,1,,,,,,
Wilayah Salah,Bu Zaenab,0813-2000-0005,,9999,crafts,banyak,,,,,,
Dua Kali,Bu Wati,0813 2000 0001,,3302,crafts,1,,,,,,
";

/// A multipart body with the CSV as an uploaded file, the way a browser sends the form.
fn multipart(csrf: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "----sentra-test-boundary-7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"perajin.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"teks\"\r\n\r\n\r\n\
         --{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// Whether the import's error table has a row for this line and column.
fn reports(page: &str, line: u64, column: &str) -> bool {
    page.contains(&format!(
        "<td class=\"n\">{line}</td><td><code>{column}</code></td>"
    ))
}

async fn an_import_names_bad_rows_and_columns_takes_the_good_ones_and_a_reimport_adds_nothing(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let facilitator = account(
        &server,
        "pendamping.banyumas",
        "rahasia-kuat-8",
        Role::Facilitator,
        None,
    )
    .await;
    let cookie = web_sign_in(&server, "pendamping.banyumas", "rahasia-kuat-8").await;

    // The template is the header row the import reads, for Excel in Indonesian (a byte-order
    // mark, `;` between the columns).
    let (status, _, template) = get(&server, "/dasbor/impor/templat.csv", Some(&cookie)).await;
    assert_eq!(status, 200);
    let template = template
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark");
    assert_eq!(
        template.trim().replace(';', ","),
        IMPORT.lines().next().unwrap()
    );

    let (status, _, form) = get(&server, "/dasbor/impor", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(form.contains("enctype=\"multipart/form-data\""));
    let csrf = input_value(&form, "csrf");

    // Pasted into the text box.
    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/impor",
        Some(&cookie),
        &[("csrf", &csrf), ("teks", IMPORT)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Terdaftar baru: <strong>2</strong>"),
        "{page}"
    );
    assert!(
        page.contains("sudah terdaftar): <strong>0</strong>"),
        "{page}"
    );
    assert!(
        reports(&page, 4, "hp"),
        "a phone that is not a phone: {page}"
    );
    assert!(reports(&page, 5, "sektor"), "an unknown sector");
    assert!(
        reports(&page, 6, "tenaga_kerja"),
        "a workforce that is not a number: {page}"
    );
    assert!(reports(&page, 7, "hp"), "the same phone twice in one file");
    assert!(page.contains("Nomor HP sama dengan baris 2"));
    assert!(page.contains("Baris bermasalah: <strong>4</strong>"));

    // The same file again, uploaded this time: nothing new, the good rows skipped.
    let (content_type, body) = multipart(&csrf, IMPORT);
    let response = server
        .client
        .post(format!("{}/dasbor/impor", server.url))
        .header("cookie", &cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Terdaftar baru: <strong>0</strong>"),
        "{page}"
    );
    assert!(
        page.contains("sudah terdaftar): <strong>2</strong>"),
        "{page}"
    );

    // The wilayah row, fixed, goes in on its own; a form without the token does nothing.
    let fixed = format!(
        "{}\nWilayah Benar,Bu Zaenab,0813-2000-0005,,3302,crafts,2,,,,,,\n",
        IMPORT.lines().next().unwrap()
    );
    let (status, _, _, _) =
        post_form(&server, "/dasbor/impor", Some(&cookie), &[("teks", &fixed)]).await;
    assert_eq!(status, 400);
    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/impor",
        Some(&cookie),
        &[("csrf", &csrf), ("teks", &fixed)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Terdaftar baru: <strong>1</strong>"),
        "{page}"
    );

    // A file without the required columns is refused as a whole, saying which.
    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/impor",
        Some(&cookie),
        &[("csrf", &csrf), ("teks", "nama_usaha;hp\nToko;0813\n")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Kolom wajib tidak ada: nama_pemilik, kode_wilayah, sektor"));

    // The facilitator's phone gets the three producers, registered in their name.
    let mut phone = unsigned_phone();
    phone_sign_in(&server, &mut phone, "pendamping.banyumas", "rahasia-kuat-8").await;
    sync(&server, &phone).await;
    let mine = phone.sentra.producers(true, 0, 100).unwrap();
    let mut names: Vec<&str> = mine.iter().map(|p| p.business_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Gula Kristal Sokaraja",
            "Jeans Rowosari, Abadi",
            "Wilayah Benar"
        ]
    );
    let sugar = mine
        .iter()
        .find(|p| p.business_name == "Gula Kristal Sokaraja")
        .unwrap();
    assert_eq!(sugar.phone, "+6281320000001");
    assert_eq!(
        sugar.registered_by,
        sentra_core::producers::RegisteredBy::Facilitator(facilitator)
    );
    assert!(sugar.consent_publish);

    // The dashboard counts them (the facilitator sees their own producers).
    let sectors = csv_export(&server, &cookie, "/dasbor/ekspor/sektor.csv").await;
    assert_eq!(cell(&sectors, "food_beverage", "Produsen"), 1);
    assert_eq!(cell(&sectors, "fashion_textiles", "Tenaga kerja"), 12);
    assert_eq!(cell(&sectors, "crafts", "Produsen"), 1);
}

async fn an_admin_assigns_a_facilitator_to_a_region_from_the_web(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A producer in Banyumas whom the new facilitator did not register.
    let (_phone, banyumas, _) = seller(
        &server,
        "Gula Semut Banyumas",
        "0812-7300-0001",
        "3302",
        25_000,
    )
    .await;
    // Staff sign in with a name (phone numbers are producers' logins).
    account(
        &server,
        "pendamping.banyumas",
        "rahasia-kuat-9",
        Role::Facilitator,
        None,
    )
    .await;
    account(
        &server,
        "admin.sentra",
        "rahasia-kuat-10",
        Role::Admin,
        None,
    )
    .await;
    let cookie = web_sign_in(&server, "admin.sentra", "rahasia-kuat-10").await;
    let (status, _, form) = get(&server, "/dasbor/pendamping", Some(&cookie)).await;
    assert_eq!(status, 200);
    let csrf = input_value(&form, "csrf");

    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/pendamping",
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("login", "pendamping.banyumas"),
            ("wilayah", "99"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Kode wilayah tidak dikenal"));
    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/pendamping",
        Some(&cookie),
        &[("csrf", &csrf), ("login", "nobody"), ("wilayah", "3302")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("tidak ada"));
    let (status, _, _, page) = post_form(
        &server,
        "/dasbor/pendamping",
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("login", " pendamping.banyumas "),
            ("wilayah", "3302"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("kini bertugas di Kabupaten Banyumas (3302)"),
        "{page}"
    );

    // The facilitator's phone now pulls the Banyumas producer.
    let mut phone = unsigned_phone();
    phone_sign_in(&server, &mut phone, "pendamping.banyumas", "rahasia-kuat-9").await;
    sync(&server, &phone).await;
    assert_eq!(
        phone.sentra.producer(banyumas).unwrap().business_name,
        "Gula Semut Banyumas"
    );
}

/// Saved by Excel on Windows in Indonesian: a byte-order mark, `;` between cells, CRLF line
/// ends, and sectors written as words.
const WINDOWS_IMPORT: &str = "\u{feff}nama_usaha;nama_pemilik;hp;alamat;kode_wilayah;sektor;tenaga_kerja\r\n\
Keripik Tempe Bu Sum;Bu Sum;0813-2100-0001;Desa Pliken;3302;makanan;3\r\n\
Salah Semua;Pak Joko;0813-2100-0002;;9999;otomotif;banyak\r\n\
Batik Tulis Pekalongan;Bu Ani;0813-2100-0003;;3326;Fesyen dan tekstil;5\r\n\
Tanpa Nama;;12;;3302;Kriya;2\r\n\
Gula Semut Cilongok;Pak Rus;0813-2100-0005;;3302;pertanian;4\r\n";

async fn a_windows_file_gets_its_real_line_numbers_every_problem_of_a_row_and_indonesian_sectors(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping.pekalongan",
        "rahasia-kuat-11",
        Role::Facilitator,
        None,
    )
    .await;
    let cookie = web_sign_in(&server, "pendamping.pekalongan", "rahasia-kuat-11").await;
    let (_, _, form) = get(&server, "/dasbor/impor", Some(&cookie)).await;
    let csrf = input_value(&form, "csrf");
    let (content_type, body) = multipart(&csrf, WINDOWS_IMPORT);
    let response = server
        .client
        .post(format!("{}/dasbor/impor", server.url))
        .header("cookie", &cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    // "makanan", "Fesyen dan tekstil" and "pertanian" are sectors.
    assert!(
        page.contains("Terdaftar baru: <strong>3</strong>"),
        "{page}"
    );
    // Line 3 is wrong three ways, and all three are named, on line 3 (not 2).
    assert!(reports(&page, 3, "sektor"), "{page}");
    assert!(reports(&page, 3, "kode_wilayah"), "{page}");
    assert!(reports(&page, 3, "tenaga_kerja"), "{page}");
    // Line 5 has no owner and a phone that is not one.
    assert!(reports(&page, 5, "nama_pemilik"), "{page}");
    assert!(reports(&page, 5, "hp"), "{page}");
    for wrong_line in [2, 4, 6] {
        assert!(
            !page.contains(&format!("<td class=\"n\">{wrong_line}</td>")),
            "line {wrong_line} is a good row: {page}"
        );
    }
    assert_eq!(page.matches("<td class=\"n\">3</td>").count(), 3);
    assert!(
        page.contains("Baris bermasalah: <strong>2</strong>"),
        "{page}"
    );

    // The sectors are stored as their codes.
    let sectors = csv_export(&server, &cookie, "/dasbor/ekspor/sektor.csv").await;
    assert_eq!(cell(&sectors, "food_beverage", "Produsen"), 1);
    assert_eq!(cell(&sectors, "fashion_textiles", "Produsen"), 1);
    assert_eq!(cell(&sectors, "processed_agriculture", "Produsen"), 1);
}
