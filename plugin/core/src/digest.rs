//! SHA-256 fingerprints, as shown in the book and written to manifests.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A `urn:uuid:` serial number derived from `content` (the first 128 bits of its SHA-256
/// with the version 8 and variant bits of RFC 9562 set), so the same content always gets
/// the same serial number.
pub(crate) fn content_uuid(content: &str) -> String {
    let hex = sha256_hex(content.as_bytes());
    let mut b: Vec<u8> = hex.bytes().take(32).collect();
    b[12] = b'8';
    let v = (b[16] as char).to_digit(16).unwrap_or(0);
    b[16] = char::from_digit(8 | (v & 3), 16).unwrap_or('8') as u8;
    let s = String::from_utf8(b).unwrap_or_default();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

/// A SHA-256 computed piece by piece, for files too large to hold in memory: the edge
/// reads, this hashes.
#[derive(Default)]
pub struct Sha256Stream {
    hasher: Sha256,
    len: u64,
}

impl Sha256Stream {
    /// Hashes the next piece of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// The number of bytes hashed and the lower-case hex SHA-256.
    pub fn finish(self) -> (u64, String) {
        (self.len, hex::encode(self.hasher.finalize()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn streamed_digest_equals_whole() {
        let mut s = super::Sha256Stream::default();
        s.update(b"a");
        s.update(b"");
        s.update(b"bc");
        assert_eq!(s.finish(), (3, super::sha256_hex(b"abc")));
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
