//! One team: its live state and queue ([`state`]), the Durable Object that hosts it ([`object`]),
//! the console feed's pacing, the calls' standing links to it, its settings and its wire protocol.

pub mod feed_pacer;
pub mod lines;
pub mod link;
pub mod object;
pub mod protocol;
pub mod settings;
pub mod state;
