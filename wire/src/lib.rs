//! Earshot's wire contract: the one definition of what travels between its parts where both ends are
//! Rust, so neither end can drift from the other.
//!
//! - [`meter`]: the mixer's meter layout, read by the health probe and the JavaScript helpers
//!   (always built, no dependencies: the mixer's wasm links nothing else from here).
//! - With the `worker` feature, what the edge worker and the archive worker exchange over the
//!   `ARCHIVE` service binding: the verified [`identity::Identity`] in [`identity::IDENTITY_HEADER`]
//!   (also how the edge hands it to its Durable Objects), the ended call's [`call_end::CallEnd`] with
//!   its audit rows, the recording [`recording::TakePermit`] and the retention notices, and the two
//!   helpers both sides read requests with ([`body::json_body`], [`body::now_ms`]).
//!
//! The browser-facing types (call and team events, health samples, limits) live with their owners and
//! are generated into TypeScript declarations by tests/tests/generated_types.rs (feature `ts`).

pub mod meter;

#[cfg(feature = "worker")]
pub mod body;
#[cfg(feature = "worker")]
pub mod call_end;
#[cfg(feature = "worker")]
pub mod identity;
#[cfg(feature = "worker")]
pub mod recording;
