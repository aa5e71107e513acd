use super::*;
use sentra_core::producers::{Certification, ProducerPatch, RegisteredBy, Sector};
use sentra_core::{ErrorCode, Rule};

#[test]
fn a_producer_registering_themselves_is_stored_with_a_normalised_phone() {
    let p = phone();
    let id = with_producer(&p);
    let producer = p.sentra.producer(id).unwrap();
    assert_eq!(producer.phone, "+6281227501234");
    assert_eq!(producer.sector, Sector::FashionTextiles);
    assert_eq!(producer.certifications, vec![Certification::Halal]);
    assert_eq!(producer.registered_by, RegisteredBy::SelfRegistered);
    assert_eq!(producer.consent_date.as_deref(), Some("2026-11-01"));
}

#[test]
fn a_facilitator_is_recorded_as_registered_by_and_sees_their_producers() {
    let (p, facilitator) = facilitator_phone();
    let a = p
        .sentra
        .register_producer(&producer_input("Gula Kristal Sumber Manis"))
        .unwrap();
    let b = p
        .sentra
        .register_producer(&producer_input("Batik Tulis Bu Narti"))
        .unwrap();
    assert_eq!(
        p.sentra.producer(a).unwrap().registered_by,
        RegisteredBy::Facilitator(facilitator)
    );
    let mine: Vec<_> = p
        .sentra
        .producers(true, 0, 50)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(mine, vec![b, a], "sorted by business name");
}

#[test]
fn every_bad_field_is_reported_at_once_with_its_rule() {
    let p = phone();
    let mut input = producer_input("");
    input.phone = "12345".into();
    input.region_code = "3399".into();
    input.sector = "mining".into();
    input.nib = Some("12345".into());
    input.workforce = -1;
    input.year_founded = Some(1850);
    input.consent_date = None;
    let err = p.sentra.register_producer(&input).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation);
    let mut got: Vec<_> = err.fields().iter().map(|f| (f.field, f.rule)).collect();
    got.sort_by_key(|(f, _)| *f);
    assert_eq!(
        got,
        vec![
            ("business_name", Rule::Required),
            ("consent_date", Rule::Required),
            ("nib", Rule::Nib),
            ("phone", Rule::Phone),
            ("region_code", Rule::RegionCode),
            ("sector", Rule::Unknown),
            ("workforce", Rule::OutOfRange),
            ("year_founded", Rule::OutOfRange),
        ]
    );
    assert!(
        p.sentra.producers(false, 0, 10).unwrap().is_empty(),
        "nothing half-saved"
    );
    assert!(p.sentra.outbox(0, 10).unwrap().is_empty());
}

#[test]
fn error_messages_carry_no_personal_data() {
    let p = phone();
    let mut input = producer_input("Konveksi");
    input.phone = "0812-XXXX-secret".into();
    let err = p.sentra.register_producer(&input).unwrap_err();
    assert!(!err.to_string().contains("secret"));
    assert!(!format!("{err:?}").contains("secret"));
}

#[test]
fn a_village_code_is_accepted_when_its_regency_is_known() {
    let p = phone();
    let mut input = producer_input("Konveksi Desa");
    input.region_code = "33.27.05.2001".into();
    let id = p.sentra.register_producer(&input).unwrap();
    assert_eq!(p.sentra.producer(id).unwrap().region_code, "3327052001");
}

#[test]
fn editing_records_only_the_fields_that_changed() {
    let p = phone();
    let id = with_producer(&p);
    let before = p.sentra.outbox(0, 100).unwrap().len();
    p.sentra
        .edit_producer(
            id,
            &ProducerPatch {
                workforce: Some(20),
                owner_name: Some("Siti Aminah".into()), // unchanged
                nib: Some(Some("9120001234567".into())),
                ..Default::default()
            },
        )
        .unwrap();
    let entries = p.sentra.outbox(0, 100).unwrap();
    assert_eq!(entries.len(), before + 1);
    let last = entries.last().unwrap();
    assert_eq!(last.op, "update");
    let mut keys: Vec<_> = last.fields.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, vec!["nib", "workforce"]);
    let producer = p.sentra.producer(id).unwrap();
    assert_eq!(producer.workforce, 20);
    assert_eq!(producer.nib.as_deref(), Some("9120001234567"));
}

#[test]
fn editing_a_missing_producer_is_not_found() {
    let p = phone();
    let err = p
        .sentra
        .edit_producer(Id::new(), &ProducerPatch::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[test]
fn organisations_hold_members_and_admins_once_each() {
    let p = phone();
    let producer = with_producer(&p);
    let coop = p
        .sentra
        .create_organisation("cooperative", "Koperasi Gula Kristal Banyumas", "3302")
        .unwrap();
    p.sentra.add_member(coop, producer).unwrap();
    p.sentra.add_member(coop, producer).unwrap();
    let admin = Id::new();
    p.sentra.add_admin(coop, admin).unwrap();
    let org = p.sentra.organisation(coop).unwrap();
    assert_eq!(org.members, vec![producer]);
    assert_eq!(org.admins, vec![admin]);
    let err = p.sentra.create_organisation("guild", "", "99").unwrap_err();
    assert_eq!(err.fields().len(), 3);
    assert_eq!(
        p.sentra.add_member(coop, Id::new()).unwrap_err().code(),
        ErrorCode::Validation
    );
}

#[test]
fn an_activation_pin_leaves_only_as_an_argon2_hash_in_the_outbox() {
    let (p, _) = facilitator_phone();
    let mut input = producer_input("Batik Tulis Bu Narti");
    input.activation_pin = Some("12ab".into());
    let err = p.sentra.register_producer(&input).unwrap_err();
    assert_eq!(err.fields()[0].field, "activation_pin");
    assert_eq!(err.fields()[0].rule, Rule::Pin);
    input.activation_pin = Some("246810".into());
    p.sentra.register_producer(&input).unwrap();
    let entry = p.sentra.outbox(0, 10).unwrap().pop().unwrap();
    let hash = entry.fields["activation_pin_hash"].as_str().unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(
        !entry.fields.values().any(|v| v.as_str() == Some("246810")),
        "the PIN itself never leaves"
    );
}
