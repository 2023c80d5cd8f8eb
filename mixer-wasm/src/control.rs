//! The control queue and the schedule: messages from the control side, applied by the render side at
//! a block's start or, when they name a frame, at exactly that frame.
//!
//! Commands are small `Copy` values in a fixed-capacity dasp ring buffer allocated once, so queueing
//! and draining never allocate; a command due later waits in the [`Schedule`], a sorted list whose
//! capacity is reserved up front too. A whole matrix is too big for a command: it is staged in a
//! buffer slot owned by the mixer and the command only says "apply the matrix staged in slot `n`".

use dasp::ring_buffer::Bounded;

use crate::tone::ToneSpec;
use crate::MixerError;

/// One control message, as the render side applies it (times already converted to frames).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    /// Apply the matrix staged in `slot` (its dimensions become the active ones), gliding over
    /// `ramp_frames` or the mixer's default ramp.
    SetMatrix { slot: usize, ramp_frames: Option<u32> },
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

/// A command and the frame it is due at (0, or any frame already rendered: at the next block's start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timed {
    /// Frame on the mixer's clock (frames since it started, or the `currentFrame` it is given).
    pub at: u64,
    /// What to do then.
    pub command: Command,
}

impl Timed {
    /// A command due at once.
    pub const fn now(command: Command) -> Timed {
        Timed { at: 0, command }
    }
}

/// A bounded first-in first-out queue of commands.
#[derive(Debug)]
pub struct ControlQueue {
    commands: Bounded<Box<[Timed]>>,
}

impl ControlQueue {
    /// A queue holding at most `capacity` commands (at least one).
    pub fn new(capacity: usize) -> ControlQueue {
        let slots = vec![Timed::now(Command::StopTone); capacity.max(1)].into_boxed_slice();
        ControlQueue { commands: Bounded::from(slots) }
    }

    /// Queues a command; fails rather than overwrite when full.
    pub fn push(&mut self, command: Timed) -> Result<(), MixerError> {
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
    pub fn pop(&mut self) -> Option<Timed> {
        self.commands.pop()
    }
}

/// Commands waiting for their frame, earliest last so taking the next one is a `pop`; commands due at
/// the same frame keep the order they were sent in. Never grows past the capacity it was built with,
/// so inserting never allocates.
#[derive(Debug)]
pub struct Schedule {
    waiting: Vec<Timed>,
}

impl Schedule {
    /// A schedule for at most `capacity` commands.
    pub fn new(capacity: usize) -> Schedule {
        Schedule { waiting: Vec::with_capacity(capacity) }
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Files a command by its frame; fails rather than grow when full.
    pub fn insert(&mut self, timed: Timed) -> Result<(), MixerError> {
        if self.waiting.len() == self.waiting.capacity() {
            return Err(MixerError::ScheduleFull);
        }
        // Descending by frame; among equals the newest goes first, so it is popped after the older.
        // Pushed, then swapped down into place: the schedule is short, and this is far less wasm
        // than `Vec::insert` or `rotate_right`.
        self.waiting.push(timed);
        for k in (1..self.waiting.len()).rev() {
            match self.waiting.get(k - 1) {
                Some(earlier) if earlier.at <= timed.at => self.waiting.swap(k - 1, k),
                _ => break,
            }
        }
        Ok(())
    }

    /// The frame of the next command due.
    pub fn next_at(&self) -> Option<u64> {
        self.waiting.last().map(|timed| timed.at)
    }

    /// The next command due at or before `frame`, removed.
    pub fn pop_due(&mut self, frame: u64) -> Option<Command> {
        if self.next_at()? <= frame {
            self.waiting.pop().map(|timed| timed.command)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(frames: u32) -> Command {
        Command::SetRamp { frames }
    }

    #[test]
    fn first_in_first_out_and_bounded() {
        let mut queue = ControlQueue::new(2);
        queue.push(Timed::now(ramp(1))).unwrap();
        queue.push(Timed { at: 7, command: ramp(2) }).unwrap();
        assert!(!queue.has_room());
        assert_eq!(queue.push(Timed::now(Command::StopTone)), Err(MixerError::QueueFull));
        assert_eq!(queue.pop(), Some(Timed::now(ramp(1))));
        assert_eq!(queue.pop(), Some(Timed { at: 7, command: ramp(2) }));
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn the_schedule_yields_by_frame_then_by_sending_order_and_is_bounded() {
        let mut schedule = Schedule::new(4);
        for (at, frames) in [(300, 1), (100, 2), (300, 3), (200, 4)] {
            schedule.insert(Timed { at, command: ramp(frames) }).unwrap();
        }
        assert_eq!(schedule.insert(Timed { at: 1, command: ramp(5) }), Err(MixerError::ScheduleFull));
        assert_eq!(schedule.next_at(), Some(100));
        assert_eq!(schedule.pop_due(99), None);
        assert_eq!(schedule.pop_due(250), Some(ramp(2)));
        assert_eq!(schedule.pop_due(250), Some(ramp(4)));
        assert_eq!(schedule.pop_due(250), None);
        assert_eq!(schedule.pop_due(300), Some(ramp(1)));
        assert_eq!(schedule.pop_due(300), Some(ramp(3)));
        assert!(schedule.is_empty());
    }
}
