//! Proof that the render path never allocates: a counting global allocator around `process`.
//!
//! Counting is switched on per thread, so the test harness's own allocations on other threads do
//! not count. Control calls are counted too: they only validate, stage and queue. The limiters run
//! both ways inside the count: limiting (loud sums, every sample through the gain computer) and idle
//! (quiet sums, only the delay line), and every block size crosses their delay line's length.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{sine, RATE};
use earshot_mixer::limiter::CEILING;
use earshot_mixer::{Mixer, MixerConfig, ToneSpec};

struct Counting;

static EVENTS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if ON.with(Cell::get) {
        EVENTS.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; counting has no side effects on it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = EVENTS.load(Ordering::SeqCst);
    ON.with(|on| on.set(true));
    let result = f();
    ON.with(|on| on.set(false));
    (result, EVENTS.load(Ordering::SeqCst) - before)
}

#[test]
fn control_and_process_never_allocate() {
    let (inputs, outputs, max_frames) = (4, 6, 1024);
    let mut mixer = Mixer::new(MixerConfig::new(RATE, inputs, outputs)).unwrap();
    let mut input: Vec<f32> =
        (0..inputs).flat_map(|i| sine(200.0 * (i + 1) as f32, 0.9, 0, max_frames)).collect();
    input[3] = f32::NAN;
    input[max_frames + 5] = f32::INFINITY;
    let mut output = vec![0.0; outputs * max_frames];
    let matrix = [1.0f32; 24];
    let quiet = [0.05f32; 24]; // 4 × 0.9 × 0.05 = 0.18: under the ceiling
    let mut sum = 0.0;
    let mut limited = [false; 2];

    // The harness must be able to see an allocation at all, or a zero below proves nothing.
    let ((), seen) = counted(|| drop(std::hint::black_box(vec![1u8; 16])));
    assert!(seen >= 2, "the counting allocator sees allocations ({seen})");

    let (result, events) = counted(|| -> Result<(), earshot_mixer::MixerError> {
        for frames in [1, 7, 128, 129, 1024, 128] {
            mixer.set_matrix(outputs, inputs, &matrix, None)?;
            // Scheduled changes due inside this block, at its end and well after it.
            let clock = mixer.clock();
            mixer.set_matrix_at(outputs, inputs, &matrix, Some(1.0), clock + frames as u64 / 2)?;
            mixer.set_gain_at(2, 3, 0.5, Some(0.0), clock + frames as u64 - 1)?;
            mixer.set_gain_at(1, 1, 0.25, None, clock + 5000)?;
            mixer.set_gain_db(0, 1, -6.0, Some(3.0))?;
            mixer.play_tone(ToneSpec::JOIN_BEEP, &[0, 5])?;
            mixer.set_ramp_ms(20.0)?;
            mixer.resize(inputs, outputs)?;
            mixer.process(&mut input[..inputs * frames], &mut output[..outputs * frames], frames)?;
            sum += mixer.meters().map(|m| m.rms).sum::<f32>();
            sum += mixer.output_meters().map(|m| m.peak).sum::<f32>();
            limited[0] |= mixer.limiter_gain(1) < Some(0.5);
        }
        mixer.stop_tone()?;
        mixer.process(&mut input, &mut output, 1024)?;
        // Quiet for about 1.4 s: the limiters release to unity and go idle; a shrink resets the outputs that
        // leave, and growing back starts them from silence.
        mixer.set_matrix(outputs, inputs, &quiet, Some(0.0))?;
        for frames in [1, 71, 72, 73, 128, 1024].into_iter().cycle().take(300) {
            mixer.process(&mut input[..inputs * frames], &mut output[..outputs * frames], frames)?;
        }
        limited[1] = mixer.limiter_gain(1) == Some(1.0);
        mixer.resize(inputs, 2)?;
        mixer.resize(inputs, outputs)?;
        mixer.process(&mut input, &mut output, 1024)
    });
    assert_eq!(events, 0, "allocations or frees during control and process");
    assert_eq!(result, Ok(()));
    assert_eq!(limited, [true, true], "the limiters both limited and went back to idle");
    assert!(sum > 0.0 && output.iter().all(|x| x.is_finite() && x.abs() <= CEILING));
}
