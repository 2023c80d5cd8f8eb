//! The mixer's one error type: what a control call or `process` can refuse, and why.

use std::fmt;

/// Why the mixer refused a configuration, a control message or a buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MixerError {
    /// A configuration field is out of its allowed range (the text says which and how).
    InvalidConfig(&'static str),
    /// An index or dimension is beyond the mixer's capacity or active size.
    OutOfRange { what: &'static str, value: usize, limit: usize },
    /// A gain, time or frequency is not finite or outside its allowed range.
    InvalidValue(&'static str),
    /// A matrix's gain count does not match its outputs × inputs.
    MatrixSize { expected: usize, actual: usize },
    /// Too many control messages queued since the last block.
    QueueFull,
    /// Too many changes (or matrices) scheduled for later frames at once.
    ScheduleFull,
    /// `process` got a buffer shorter than capacity × frames.
    BufferTooShort { expected: usize, actual: usize },
}

impl MixerError {
    /// A fixed description without the numbers, for builds that keep formatting code out (wasm).
    pub fn reason(&self) -> &'static str {
        match self {
            MixerError::InvalidConfig(what) | MixerError::InvalidValue(what) => what,
            MixerError::OutOfRange { .. } => "index or size out of range",
            MixerError::MatrixSize { .. } => "matrix gain count is not outputs × inputs",
            MixerError::QueueFull => "control queue full",
            MixerError::ScheduleFull => "too many changes scheduled",
            MixerError::BufferTooShort { .. } => "buffer shorter than capacity × frames",
        }
    }
}

impl fmt::Display for MixerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MixerError::InvalidConfig(what) => write!(f, "invalid mixer configuration: {what}"),
            MixerError::OutOfRange { what, value, limit } => {
                write!(f, "{what} {value} out of range (< {limit})")
            }
            MixerError::InvalidValue(what) => write!(f, "invalid {what}"),
            MixerError::MatrixSize { expected, actual } => {
                write!(f, "matrix has {actual} gains, expected outputs × inputs = {expected}")
            }
            MixerError::QueueFull => write!(f, "control queue full"),
            MixerError::ScheduleFull => write!(f, "too many changes scheduled for later frames"),
            MixerError::BufferTooShort { expected, actual } => {
                write!(f, "buffer holds {actual} samples, expected {expected}")
            }
        }
    }
}

impl std::error::Error for MixerError {}
