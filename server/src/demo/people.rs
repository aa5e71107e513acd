//! Who is in the demo, made up but shaped like the brief's facts: 146 garment makers in 21
//! clusters of Rowosari village (Pemalang), 1,092 workers between them, and the crystal-sugar
//! cooks of a Banyumas cooperative. Deterministic: the same demo every run.

/// The Rowosari garment makers.
pub const GARMENT_MAKERS: usize = 146;
/// Their workers, all together.
pub const GARMENT_WORKFORCE: i64 = 1_092;
/// The Banyumas cooperative's sugar makers.
pub const SUGAR_MAKERS: usize = 22;

/// Rowosari's clusters, named after the hamlets (*dukuh*) they work in.
pub const CLUSTERS: [&str; 21] = [
    "Krajan",
    "Sumberan",
    "Kauman",
    "Karanganyar",
    "Pesantren",
    "Karangasem",
    "Kebonsari",
    "Sidomulyo",
    "Sukorejo",
    "Tegalsari",
    "Purwosari",
    "Kalisari",
    "Mulyorejo",
    "Sumberejo",
    "Karangsari",
    "Tanjungsari",
    "Gondang",
    "Banjaran",
    "Pekunden",
    "Kedungsari",
    "Sawahan",
];

const GIVEN: [&str; 24] = [
    "Siti", "Ahmad", "Sri", "Budi", "Dwi", "Eko", "Fitri", "Hadi", "Indah", "Joko", "Kartini",
    "Lestari", "Muhammad", "Nur", "Puji", "Rahmat", "Slamet", "Tri", "Umi", "Wahyu", "Yanti",
    "Zaenal", "Agus", "Endang",
];
const FAMILY: [&str; 16] = [
    "Aminah",
    "Fauzi",
    "Wahyuni",
    "Santoso",
    "Rahayu",
    "Prasetyo",
    "Handayani",
    "Susanto",
    "Hidayat",
    "Lestari",
    "Saputra",
    "Maryati",
    "Nugroho",
    "Purwanti",
    "Setiawan",
    "Kusuma",
];
const TRADE: [&str; 6] = ["Konveksi", "Jeans", "Busana", "Garmen", "Denim", "Tenun"];
const EPITHET: [&str; 12] = [
    "Jaya",
    "Mandiri",
    "Makmur",
    "Abadi",
    "Sejahtera",
    "Barokah",
    "Berkah",
    "Sentosa",
    "Lestari",
    "Utama",
    "Rejeki",
    "Sukses",
];

/// Name, category, unit, price, sizes (none: one variant), and which picture.
pub type Product = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    usize,
);

/// What Rowosari makes: jeans first, then what the governor asked them to add.
pub const GARMENTS: [Product; 10] = [
    (
        "Celana Jeans Reguler",
        "Pakaian",
        "pcs",
        125_000,
        &["28", "30", "32", "34"],
        0,
    ),
    (
        "Jaket Jeans Unisex",
        "Pakaian",
        "pcs",
        185_000,
        &["M", "L", "XL"],
        1,
    ),
    ("Sarung Tenun Goyor", "Pakaian", "kodi", 1_400_000, &[], 2),
    (
        "Celana Jeans Slim Fit",
        "Pakaian",
        "pcs",
        135_000,
        &["28", "30", "32"],
        0,
    ),
    (
        "Rok Jeans Wanita",
        "Pakaian",
        "pcs",
        110_000,
        &["S", "M", "L"],
        3,
    ),
    ("Tas Jeans Selempang", "Tas", "pcs", 65_000, &[], 4),
    (
        "Kemeja Batik Pria",
        "Pakaian",
        "pcs",
        150_000,
        &["M", "L", "XL"],
        5,
    ),
    (
        "Gamis Katun Wanita",
        "Pakaian",
        "pcs",
        175_000,
        &["M", "L"],
        6,
    ),
    (
        "Celana Jeans Anak",
        "Pakaian",
        "pcs",
        85_000,
        &["4", "6", "8"],
        0,
    ),
    ("Sarung Batik Cap", "Pakaian", "pcs", 95_000, &[], 2),
];

/// What the Banyumas cooperative's members make.
pub const SUGARS: [Product; 4] = [
    ("Gula Kristal Kelapa 1 kg", "Makanan", "kg", 28_000, &[], 7),
    (
        "Gula Semut Organik 500 g",
        "Makanan",
        "pack",
        22_000,
        &[],
        8,
    ),
    ("Gula Kelapa Cetak 5 kg", "Makanan", "pack", 115_000, &[], 9),
    (
        "Gula Kristal Curah, karung 50 kg",
        "Makanan",
        "kg",
        24_000,
        &[],
        7,
    ),
];

/// One made-up producer.
pub struct Maker {
    /// Business name.
    pub business: String,
    /// Owner's name.
    pub owner: String,
    /// Phone (their login if they get an account).
    pub phone: String,
    /// Regency code.
    pub regency: &'static str,
    /// Sector code.
    pub sector: &'static str,
    /// Workers.
    pub workforce: i64,
    /// The Rowosari cluster (index into [`CLUSTERS`]), none for sugar makers.
    pub cluster: Option<usize>,
    /// What they list.
    pub products: Vec<Product>,
}

/// Every demo producer: the garment makers, then the sugar makers. The first garment maker,
/// the second, and the first sugar maker are the ones the README names.
pub fn makers() -> Vec<Maker> {
    let mut makers = Vec::new();
    for i in 0..GARMENT_MAKERS {
        let (business, owner) = match i {
            0 => (
                "Konveksi Rowosari Jaya".to_owned(),
                "Siti Aminah".to_owned(),
            ),
            1 => ("Jeans Ulujami Mandiri".to_owned(), "Ahmad Fauzi".to_owned()),
            _ => {
                let owner = format!(
                    "{} {}",
                    GIVEN[(i * 7) % GIVEN.len()],
                    FAMILY[(i * 5) % FAMILY.len()]
                );
                let business = format!(
                    "{} {} {}",
                    TRADE[i % TRADE.len()],
                    owner.split(' ').next().unwrap_or("Rowosari"),
                    EPITHET[(i * 11) % EPITHET.len()]
                );
                (business, owner)
            }
        };
        // 7 or 8 workers each (1,092 in all), spread ±3 in pairs so the sum stays.
        let base = if i < (GARMENT_WORKFORCE as usize - 7 * GARMENT_MAKERS) {
            8
        } else {
            7
        };
        let spread = ((i / 2) % 4) as i64;
        let workforce = if i % 2 == 0 {
            base + spread
        } else {
            base - spread
        };
        let products = match i {
            0 => vec![GARMENTS[0], GARMENTS[1]],
            1 => vec![GARMENTS[2]],
            _ => vec![
                GARMENTS[i % GARMENTS.len()],
                GARMENTS[(i * 3 + 1) % GARMENTS.len()],
            ],
        };
        makers.push(Maker {
            business,
            owner,
            phone: format!("0812-2750-{}", 1001 + i),
            regency: "3327",
            sector: "fashion_textiles",
            workforce,
            cluster: Some(i % CLUSTERS.len()),
            products,
        });
    }
    for i in 0..SUGAR_MAKERS {
        let (business, owner) = match i {
            0 => (
                "Gula Kristal Sumber Manis".to_owned(),
                "Sri Wahyuni".to_owned(),
            ),
            _ => {
                let owner = format!(
                    "{} {}",
                    GIVEN[(i * 5 + 3) % GIVEN.len()],
                    FAMILY[(i * 3 + 2) % FAMILY.len()]
                );
                (
                    format!(
                        "Gula Kelapa {} {}",
                        owner.split(' ').next().unwrap_or("Banyumas"),
                        EPITHET[(i * 7) % EPITHET.len()]
                    ),
                    owner,
                )
            }
        };
        makers.push(Maker {
            business,
            owner,
            phone: format!("0813-2900-{}", 2001 + i),
            regency: "3302",
            sector: "processed_agriculture",
            workforce: 2 + (i as i64 % 5),
            cluster: None,
            products: if i == 0 {
                vec![SUGARS[0], SUGARS[1]]
            } else {
                vec![SUGARS[i % SUGARS.len()], SUGARS[(i + 2) % SUGARS.len()]]
            },
        });
    }
    makers
}

/// Buyers of the storefront: name, phone, regency (from Pemalang's neighbours to Medan).
pub const BUYERS: [(&str, &str, &str, &str); 10] = [
    (
        "Toko Berkah",
        "0813-2222-4321",
        "3302",
        "Jl. Jend. Sudirman 10, Purwokerto",
    ),
    (
        "Butik Anggun",
        "0812-8800-1201",
        "3171",
        "Jl. Kemang Raya 21, Jakarta Selatan",
    ),
    (
        "Grosir Tanah Abang Jaya",
        "0812-8800-1202",
        "3173",
        "Blok A Lt. 2, Tanah Abang",
    ),
    (
        "Ibu Ratna",
        "0812-8800-1203",
        "3273",
        "Jl. Dago 88, Bandung",
    ),
    (
        "Toko Kain Surya",
        "0812-8800-1204",
        "3578",
        "Jl. Kapasan 5, Surabaya",
    ),
    (
        "Pak Darmawan",
        "0812-8800-1205",
        "3374",
        "Jl. Pandanaran 12, Semarang",
    ),
    (
        "Kedai Kopi Nusantara",
        "0812-8800-1206",
        "3471",
        "Jl. Kaliurang 7, Yogyakarta",
    ),
    (
        "CV Sumber Pangan",
        "0812-8800-1207",
        "1275",
        "Jl. Gatot Subroto 40, Medan",
    ),
    (
        "Toko Oleh-oleh Bali",
        "0812-8800-1208",
        "5171",
        "Jl. Teuku Umar 3, Denpasar",
    ),
    (
        "Ibu Nurul",
        "0812-8800-1209",
        "7371",
        "Jl. Perintis 9, Makassar",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowosari_has_146_makers_in_21_clusters_with_1092_workers() {
        let makers = makers();
        let garment: Vec<&Maker> = makers.iter().filter(|m| m.regency == "3327").collect();
        assert_eq!(garment.len(), 146);
        assert_eq!(garment.iter().map(|m| m.workforce).sum::<i64>(), 1_092);
        assert!(garment.iter().all(|m| m.workforce >= 3));
        let mut clusters: Vec<usize> = garment.iter().filter_map(|m| m.cluster).collect();
        clusters.sort_unstable();
        clusters.dedup();
        assert_eq!(clusters.len(), 21);
        let mut phones: Vec<&str> = makers.iter().map(|m| m.phone.as_str()).collect();
        phones.sort_unstable();
        phones.dedup();
        assert_eq!(phones.len(), makers.len(), "every phone once");
        assert_eq!(makers[0].phone, "0812-2750-1001");
        assert_eq!(makers[GARMENT_MAKERS].phone, "0813-2900-2001");
    }
}
