//! A checksum for files kjproj writes and reads back, and for noticing that inputs changed.

/// FNV-1a, 64 bits (Fowler, Noll & Vo; IETF draft-eastlake-fnv), over `parts` in order,
/// each followed by its length so that moving bytes between parts changes the hash. For
/// noticing changes and damage, not against deliberate collisions.
pub fn fnv1a_64<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain((part.len() as u64).to_le_bytes().iter()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
