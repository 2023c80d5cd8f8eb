//! Mutations of a seed input: byte flips, insertions of JSON syntax and of the protocol's own words,
//! deletions, duplications and splices, several per input.

use proptest::prelude::*;

/// Pieces worth inserting: JSON syntax, numbers at the edges of every numeric type, escapes that
/// are not UTF-8 or not characters, and the words the wire formats are made of.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\\",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-1",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "4294967296",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "0.5",
    "1e-400",
    "\\u0000",
    "\\ud800",
    "\\udfff",
    "\\uFFFD",
    "\u{FFFD}",
    "\u{0}",
    "\"type\"",
    "\"ref\"",
    "\"mode\"",
    "\"set_mode\"",
    "\"barge\"",
    "\"takeover\"",
    "\"whisper\"",
    "\"monitor\"",
    "\"none\"",
    "\"signal\"",
    "\"to\"",
    "\"customer\"",
    "\"agent\"",
    "\"supervisor\"",
    "\"levels\"",
    "\"db\"",
    "\"health\"",
    "\"coach\"",
    "\"text\"",
    "\"sub\"",
    "\"role\"",
    "\"team\"",
    "\"exp\"",
    "\"nbf\"",
    "\"aud\"",
    "\"alg\"",
    "\"EdDSA\"",
    "\"none\"",
    "\"crit\"",
    "\"capabilities\"",
    "\"exemptions\"",
    "\"settings\"",
    "\"scores\"",
    "\"audit\"",
    "\"seq\"",
    "\"at\"",
    "\"kind\"",
    ".",
    "..",
    "=",
    "-",
    "_",
    "\u{10FFFF}",
];

/// One change to an input.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flips one bit of the byte at a position (positions wrap around the input's length).
    FlipBit { at: usize, bit: u8 },
    /// Sets a byte to any value.
    SetByte { at: usize, byte: u8 },
    /// Inserts one of the tokens JSON and the protocol are built from (quotes, braces, field names, odd code points).
    Insert { at: usize, token: usize },
    /// Removes up to `len` bytes.
    Delete { at: usize, len: usize },
    /// Repeats a stretch of the input right after itself.
    Duplicate { at: usize, len: usize },
    /// Cuts the input short.
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        1 => (at, 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        1 => (at, any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        3 => (at, 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        1 => (at, 1usize..16).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (at, 1usize..64).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
    ]
}

/// Applies `mutations` to `seed`, in order.
pub fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for change in mutations {
        let len = bytes.len();
        let pos = |at: usize| if len == 0 { 0 } else { at % len };
        match *change {
            Mutation::FlipBit { at, bit } if len > 0 => bytes[pos(at)] ^= 1 << bit,
            Mutation::SetByte { at, byte } if len > 0 => bytes[pos(at)] = byte,
            Mutation::Insert { at, token } => {
                let at = if len == 0 { 0 } else { at % (len + 1) };
                bytes.splice(at..at, TOKENS[token].bytes());
            }
            Mutation::Delete { at, len: n } if len > 0 => {
                let at = pos(at);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Duplicate { at, len: n } if len > 0 => {
                let at = pos(at);
                let stretch = bytes[at..(at + n).min(len)].to_vec();
                let end = at + stretch.len();
                bytes.splice(end..end, stretch);
            }
            Mutation::Truncate { at } => bytes.truncate(if len == 0 { 0 } else { at % len }),
            _ => {}
        }
    }
    bytes
}

/// An input for a target with `seeds`: one of them as it is (a tenth, so the valid paths keep being
/// exercised), with one mutation (most: near-valid inputs reach furthest), or with up to eight.
pub fn input(seeds: std::rc::Rc<Vec<Vec<u8>>>) -> impl Strategy<Value = Vec<u8>> {
    let count = prop_oneof![1 => Just(0usize..1), 5 => Just(1usize..2), 4 => Just(2usize..9)];
    (0..seeds.len(), count.prop_flat_map(|n| proptest::collection::vec(mutation(), n)))
        .prop_map(move |(seed, mutations)| apply(&seeds[seed], &mutations))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_within_the_input_and_change_it() {
        let seed = b"{\"type\":\"ping\"}";
        assert_eq!(apply(seed, &[]), seed);
        assert_eq!(apply(seed, &[Mutation::Truncate { at: 3 }]), b"{\"t");
        assert_eq!(apply(seed, &[Mutation::Delete { at: 100, len: 1000 }]).len(), 15 - (15 - 100 % 15));
        let inserted = apply(seed, &[Mutation::Insert { at: 0, token: 0 }]);
        assert_eq!(&inserted[..2], b"{{");
        assert_eq!(
            apply(b"", &[Mutation::FlipBit { at: 5, bit: 1 }, Mutation::Delete { at: 0, len: 3 }]),
            b""
        );
        let doubled = apply(b"ab", &[Mutation::Duplicate { at: 0, len: 2 }]);
        assert_eq!(doubled, b"abab");
    }
}
