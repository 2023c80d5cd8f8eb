//! One supervised call, pure logic first: its record ([`record`]), what each party is shown
//! ([`views`]), how a change is made and what it produces ([`effects`]), people arriving and leaving
//! ([`lifecycle`]) and every request kind ([`requests`]). Then the Durable Object that hosts it
//! ([`object`]: loads the record, calls in here, stores it, delivers the effects), its audit trail
//! and who may record it.

pub mod audit;
pub mod effects;
pub mod lifecycle;
pub mod object;
pub mod record;
pub mod recording_rules;
pub mod requests;
pub mod views;

#[cfg(test)]
mod tests;
