//! One supervised call: its record and the pure logic of every request ([`room`]), the Durable
//! Object that hosts it ([`object`]), its audit trail and who may record it.

pub mod audit;
pub mod object;
pub mod recording_rules;
pub mod room;
