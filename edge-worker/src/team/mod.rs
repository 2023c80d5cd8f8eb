//! One team: its live state and queue ([`state`]), the Durable Object that hosts it ([`object`]),
//! the console feed's pacing and its wire protocol.

pub mod feed_pacer;
pub mod lines;
pub mod object;
pub mod protocol;
pub mod state;
