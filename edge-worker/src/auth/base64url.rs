//! base64url without padding (RFC 4648 §5), the encoding of compact JWS parts and of JWK keys.
//!
//! Hand-written because it is a dozen lines and the worker's size is a budget. Decoding is strict:
//! only the URL-safe alphabet, no padding, and no stray bits in the last character, so every byte
//! string has exactly one accepted encoding.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes`, unpadded.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group =
            chunk.iter().enumerate().fold(0u32, |group, (i, b)| group | u32::from(*b) << (16 - 8 * i));
        // n bytes fill n + 1 characters.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// Decodes unpadded base64url; `None` for any other character, a length no encoding has (4k + 1),
/// or non-zero leftover bits.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = acc << 6 | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6 && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors_round_trip() {
        let vectors = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()), "{encoded}");
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)), Some(all));
    }

    #[test]
    fn the_url_safe_alphabet_and_nothing_else() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        for bad in ["+_8", "/_8", "Zg==", "Zm9v YmFy", "Zm9vé"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn impossible_lengths_and_stray_bits_are_refused() {
        assert_eq!(decode("Zm9vY"), None, "4k + 1 characters");
        assert_eq!(decode("Zh"), None, "'h' leaves a set bit after the one byte");
        assert_eq!(decode("Zm9"), None, "'9' leaves set bits after two bytes");
    }
}
