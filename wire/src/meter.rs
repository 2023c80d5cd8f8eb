//! The mixer's meter layout: each meter is [`METER_FIELDS`] `f32`s in a row, every input's meter
//! first, then every output's. The mixer's wasm writes it (earshot-mixer's `wasm` module), the health
//! probe reads the inputs (earshot-health), and the JavaScript helpers read and write it through the
//! generated mixer-wasm/js/layout.js.

/// Numbers per meter: [`RMS`], [`PEAK`], [`VOICE`], [`SANITIZED`], in that order.
pub const METER_FIELDS: usize = 4;
/// Root mean square of the latest block (linear).
pub const RMS: usize = 0;
/// Largest absolute sample of the latest block (linear).
pub const PEAK: usize = 1;
/// Voice activity: 1 when the input is speaking, else 0.
pub const VOICE: usize = 2;
/// Samples replaced by sanitising since the mixer started.
pub const SANITIZED: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_fill_one_meter_exactly_once() {
        let mut fields = [RMS, PEAK, VOICE, SANITIZED];
        fields.sort_unstable();
        assert_eq!(fields.to_vec(), (0..METER_FIELDS).collect::<Vec<_>>());
    }
}
