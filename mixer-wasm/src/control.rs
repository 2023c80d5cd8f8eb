//! The control queue: messages from the control side, applied by the render side at a block's start.
//!
//! Commands are small `Copy` values in a fixed-capacity dasp ring buffer allocated once, so queueing
//! and draining never allocate. A whole matrix is too big for a command: it is staged in a buffer
//! owned by the mixer and the command only says "apply the staged matrix".

use dasp::ring_buffer::Bounded;

use crate::tone::ToneSpec;
use crate::MixerError;

/// One control message, as the render side applies it (times already converted to frames).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    /// Apply the staged matrix (its dimensions become the active ones), gliding over `ramp_frames`
    /// or the mixer's default ramp.
    SetMatrix { ramp_frames: Option<u32> },
    /// Glide one cell to a new linear gain.
    SetGain { output: usize, input: usize, gain: f32, ramp_frames: Option<u32> },
    /// Change the default ramp length.
    SetRamp { frames: u32 },
    /// Play a tone into the outputs whose bits are set in `outputs` (bit `o` = output `o`).
    PlayTone { spec: ToneSpec, outputs: u64 },
    /// Fade the tone out.
    StopTone,
    /// Change the active inputs and outputs; new cells start muted.
    Resize { inputs: usize, outputs: usize },
}

/// A bounded first-in first-out queue of commands.
#[derive(Debug)]
pub struct ControlQueue {
    commands: Bounded<Box<[Command]>>,
}

impl ControlQueue {
    /// A queue holding at most `capacity` commands (at least one).
    pub fn new(capacity: usize) -> ControlQueue {
        let slots = vec![Command::StopTone; capacity.max(1)].into_boxed_slice();
        ControlQueue { commands: Bounded::from(slots) }
    }

    /// Queues a command; fails rather than overwrite when full.
    pub fn push(&mut self, command: Command) -> Result<(), MixerError> {
        if self.commands.is_full() {
            return Err(MixerError::QueueFull);
        }
        self.commands.push(command);
        Ok(())
    }

    /// Whether one more command fits.
    pub fn has_room(&self) -> bool {
        !self.commands.is_full()
    }

    /// The oldest queued command, removed.
    pub fn pop(&mut self) -> Option<Command> {
        self.commands.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_and_bounded() {
        let mut queue = ControlQueue::new(2);
        queue.push(Command::SetRamp { frames: 1 }).unwrap();
        queue.push(Command::SetRamp { frames: 2 }).unwrap();
        assert!(!queue.has_room());
        assert_eq!(queue.push(Command::StopTone), Err(MixerError::QueueFull));
        assert_eq!(queue.pop(), Some(Command::SetRamp { frames: 1 }));
        assert_eq!(queue.pop(), Some(Command::SetRamp { frames: 2 }));
        assert_eq!(queue.pop(), None);
    }
}
