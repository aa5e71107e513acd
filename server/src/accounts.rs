//! Accounts and sessions: secrets hashed with argon2id at the server's own parameters, random
//! bearer tokens stored only as their BLAKE3 hash, and the shape of logins.
//!
//! Every argon2 computation (hashing or verifying) takes one of a few slots first, and a
//! verification works in its slot's memory, made once, so a burst of sign-ins costs at most
//! [`ARGON2_SLOTS`] × 19 MiB of memory, and a stored hash made with
//! other parameters than the server's is never computed at all (a planted hash with a huge cost
//! would otherwise cost what its author chose). How sign-in attempts are throttled is in
//! [`crate::limits`]; the sign-in itself is [`crate::signin`].

use argon2::{Argon2, Block, PasswordHash, PasswordHasher};
use sentra_core::{Id, Role};
use serde::{Deserialize, Serialize};
use std::sync::{Condvar, LazyLock, Mutex};

use crate::error::ApiError;

/// How many argon2 hashes or verifications may run at once (each takes 19 MiB and ~1 core).
pub const ARGON2_SLOTS: usize = 3;

/// How long a token lives after sign-in: 180 days. A phone that syncs only now and then stays
/// signed in for a season; a lost phone's token dies even if nobody signs it out. After that the
/// app asks for the PIN again (offline work goes on meanwhile).
pub const TOKEN_LIFETIME_MS: i64 = 180 * 24 * 3_600_000;

/// Tokens issued at or before this time (Unix ms) are no longer accepted.
pub fn oldest_live_token() -> i64 {
    use sentra_core::WallClock;
    sentra_core::SystemClock.now_ms() - TOKEN_LIFETIME_MS
}

/// A user of the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The user's id.
    pub user_id: Id,
    /// What the user is.
    pub role: Role,
    /// For a producer, their producer id.
    pub producer_id: Option<Id>,
}

/// The argon2 slots: those not yet used, each free one's working memory (made once and used
/// again), and a condition to wait on when there are none. Verifications run on whichever
/// blocking thread the sign-in landed on; when each allocated a fresh 19 MiB, every such
/// thread's allocator arena kept its own, and eight parallel sign-ins took the server past
/// 400 MB.
static SLOTS: (Mutex<Slots>, Condvar) = (
    Mutex::new(Slots {
        unmade: ARGON2_SLOTS,
        free: Vec::new(),
    }),
    Condvar::new(),
);

struct Slots {
    unmade: usize,
    free: Vec<Vec<Block>>,
}

/// Runs `work` with an argon2 slot's working memory (`Argon2::default()`'s blocks) once a slot
/// is free. Blocks: call it on the blocking pool.
fn in_slot<T>(work: impl FnOnce(&mut [Block]) -> T) -> T {
    let (slots, freed) = &SLOTS;
    let mut memory = {
        let mut slots = slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(memory) = slots.free.pop() {
                break memory;
            }
            if slots.unmade > 0 {
                slots.unmade -= 1;
                break Vec::new();
            }
            slots = freed
                .wait(slots)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    };
    let blocks = argon2::Params::default().block_count();
    if memory.len() != blocks {
        memory = vec![Block::new(); blocks];
    }
    // Gives the slot and its memory back even if `work` panics.
    struct Release(Vec<Block>);
    impl Drop for Release {
        fn drop(&mut self) {
            let (slots, freed) = &SLOTS;
            slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .free
                .push(std::mem::take(&mut self.0));
            freed.notify_one();
        }
    }
    let mut release = Release(memory);
    work(&mut release.0)
}

/// The start of every PHC string the server makes: argon2id, version 19, and
/// `Argon2::default()`'s memory, time and parallelism costs.
fn server_prefix() -> &'static str {
    static PREFIX: LazyLock<String> = LazyLock::new(|| {
        let params = argon2::Params::default();
        format!(
            "$argon2id$v={}$m={},t={},p={}$",
            argon2::Version::V0x13 as u32,
            params.m_cost(),
            params.t_cost(),
            params.p_cost()
        )
    });
    &PREFIX
}

/// A hash of a random secret nobody knows, with the server's parameters: an unknown login, or
/// a stored hash the server did not make, is verified against it, so every refusal costs one
/// real verification and none costs more.
fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        // Hashing a fresh random string does not fail; should it, the empty string fails
        // every verification at once.
        hash_secret(&new_token()).unwrap_or_default()
    });
    &DUMMY
}

/// Whether `hash` is a PHC string the server could have made itself: argon2id, version 19,
/// exactly the memory, time and parallelism of `Argon2::default()`, no key id or associated
/// data, a salt, and a 32-byte output. Anything else (another algorithm, a cheaper or a far
/// costlier hash) is refused wherever sign-in material comes in.
pub fn is_server_hash(hash: &str) -> bool {
    let Some(rest) = hash.strip_prefix(server_prefix()) else {
        return false;
    };
    // After the parameters only the salt and the output may follow.
    if rest.split('$').count() != 2 {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        parsed.salt.is_some()
            && parsed
                .hash
                .is_some_and(|output| output.len() == argon2::Params::DEFAULT_OUTPUT_LEN)
    })
}

/// Hashes a PIN or password with argon2id at the server's parameters (random salt, PHC string).
/// Blocks while the argon2 slots are busy.
pub fn hash_secret(secret: &str) -> Result<String, String> {
    // Rare (an account made, the dummy hash once): argon2 allocates for itself.
    in_slot(|_| {
        Argon2::default()
            .hash_password(secret.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
}

/// Whether `secret` matches `hash`. A hash the server did not make with its own parameters
/// ([`is_server_hash`]) never matches, and costs the same one ordinary verification (against a
/// dummy hash) as a wrong secret. Blocks while the argon2 slots are busy.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    let ours = is_server_hash(hash);
    let checked = if ours { hash } else { dummy_hash() };
    let matches = in_slot(|memory| verify_in(secret, checked, memory));
    ours && matches
}

/// Whether `secret` hashes to `hash` (made with `Argon2::default()`'s parameters), computed in
/// a slot's `memory`.
fn verify_in(secret: &str, hash: &str, memory: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::default()
        .hash_password_into_with_memory(secret.as_bytes(), salt.as_ref(), &mut out, memory)
        .is_ok()
        // Output's equality is constant-time.
        && argon2::password_hash::phc::Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// One verification of `secret` against nothing: what an unknown login costs, so it takes as
/// long as a wrong secret for a real one.
pub fn verify_nothing(secret: &str) {
    let _ = verify_secret(secret, dummy_hash());
}

/// The login an account of `role` gets from what was typed: a producer's login is their phone
/// in the `+62…` form; a staff login is a name kept as typed (trimmed) and must not look like a
/// phone, so a producer can never hold a staff name nor staff a producer's phone.
pub fn login_for(role: Role, typed: &str) -> Result<String, ApiError> {
    let phone = sentra_core::normalise_phone(typed);
    match (role, phone) {
        (Role::Producer, Some(phone)) => Ok(phone),
        (Role::Producer, None) => Err(ApiError::ProducerLoginNotPhone),
        (_, Some(_)) => Err(ApiError::StaffLoginLooksLikePhone),
        (_, None) => {
            let name = typed.trim();
            if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
                return Err(ApiError::BadBody);
            }
            Ok(name.to_owned())
        }
    }
}

/// A new random bearer token (256 bits, hex).
pub fn new_token() -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    format!("{}{}", a.simple(), b.simple())
}

/// What the server stores of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    blake3::hash(token.as_bytes()).as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A PHC string with other parameters, made with the same salt and argon2.
    fn hash_with(params: argon2::Params, algorithm: argon2::Algorithm) -> String {
        Argon2::new(algorithm, argon2::Version::V0x13, params)
            .hash_password(b"246810")
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_servers_own_hash_is_recognised_and_verifies() {
        let hash = hash_secret("246810").unwrap();
        assert!(is_server_hash(&hash), "{hash}");
        assert!(verify_secret("246810", &hash));
        assert!(!verify_secret("246811", &hash));
    }

    #[test]
    fn a_hash_with_other_costs_or_another_algorithm_is_refused_even_with_the_right_secret() {
        let costlier = argon2::Params::new(19 * 1024, 3, 1, None).unwrap();
        let cheaper = argon2::Params::new(8 * 1024, 1, 1, None).unwrap();
        let wider = argon2::Params::new(19 * 1024, 2, 2, None).unwrap();
        let longer = argon2::Params::new(19 * 1024, 2, 1, Some(64)).unwrap();
        for hash in [
            hash_with(costlier, argon2::Algorithm::Argon2id),
            hash_with(cheaper, argon2::Algorithm::Argon2id),
            hash_with(wider, argon2::Algorithm::Argon2id),
            hash_with(longer, argon2::Algorithm::Argon2id),
            hash_with(argon2::Params::default(), argon2::Algorithm::Argon2i),
            hash_with(argon2::Params::default(), argon2::Algorithm::Argon2d),
        ] {
            assert!(!is_server_hash(&hash), "{hash}");
            assert!(!verify_secret("246810", &hash), "{hash}");
        }
    }

    #[test]
    fn a_planted_hash_with_a_huge_cost_is_refused_without_computing_it() {
        // m = 4 GiB, t = 100000: computing it would take hours. Its salt and output are copied
        // from a real hash, so only the parameters are wrong.
        let real = hash_secret("246810").unwrap();
        let tail = real.strip_prefix(server_prefix()).unwrap();
        let planted = format!("$argon2id$v=19$m=4194304,t=100000,p=1${tail}");
        let started = std::time::Instant::now();
        assert!(!is_server_hash(&planted));
        assert!(!verify_secret("246810", &planted));
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // Extra parameters, a missing salt or garbage are refused too.
        for odd in [
            format!("{}{tail}$extra", server_prefix()),
            format!("$argon2id$v=19$m=19456,t=2,p=1,keyid=AAAA${tail}"),
            "$argon2id$v=19$m=19456,t=2,p=1$".to_owned(),
            "plaintext".to_owned(),
            String::new(),
        ] {
            assert!(!is_server_hash(&odd), "{odd}");
            assert!(!verify_secret("246810", &odd), "{odd}");
        }
    }

    #[test]
    fn producers_sign_in_with_a_phone_and_staff_with_a_name_that_is_not_one() {
        assert_eq!(
            login_for(Role::Producer, "0812-7777-8888").unwrap(),
            "+6281277778888"
        );
        assert!(matches!(
            login_for(Role::Producer, "pendamping"),
            Err(ApiError::ProducerLoginNotPhone)
        ));
        for phone_like in ["081277778888", "+62 812 7777 8888", "12345678"] {
            assert!(
                matches!(
                    login_for(Role::Facilitator, phone_like),
                    Err(ApiError::StaffLoginLooksLikePhone)
                ),
                "{phone_like}"
            );
        }
        assert_eq!(
            login_for(Role::Admin, " dinas.banyumas ").unwrap(),
            "dinas.banyumas"
        );
        assert!(login_for(Role::Official, "  ").is_err());
    }
}
