//! Fuzzing of every wire parser of the edge worker and the archive: each [`targets::Target`] has
//! seeds (valid inputs of its format) that [`mutate`] bends into millions of near-valid and broken
//! ones; a target must answer each with a value or an error and never panic.
//!
//! The driver is proptest (already the workspace's property-testing library): its runner generates
//! the mutations, catches a panic and shrinks the input to a small reproducer. Coverage-guided
//! fuzzing (cargo fuzz, libFuzzer) needs a nightly compiler, which this project's machines do not
//! have; mutating valid seeds reaches the parsers' deep paths (every field, every enum tag) that
//! random bytes almost never do. `tests/wire.rs` runs it: a few thousand inputs per target in the
//! gate, 10 million and more from `scripts/bench-fuzz.sh`.

pub mod mutate;
pub mod targets;
