//! SHA-256 of a fixture, to compare with the hash recorded in its snapshot.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `data`.
pub fn hex_digest(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(
            super::hex_digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
