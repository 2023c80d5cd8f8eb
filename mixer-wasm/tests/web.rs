//! The wasm API in headless Chromium (wasm-bindgen-test): buffers seen through `Float32Array` views
//! on wasm memory, views rebuilt after memory grows, meters, and errors surfacing as JS errors.
#![cfg(target_arch = "wasm32")]

use earshot_mixer::wasm::{WasmMixer, METER_FIELDS};
use js_sys::{Float32Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FRAMES: usize = 128;

fn memory() -> WebAssembly::Memory {
    wasm_bindgen::memory().dyn_into().unwrap()
}

/// A view like the worklet builds: `len` floats at byte offset `ptr` of the current memory buffer.
fn view(ptr: *const f32, len: usize) -> Float32Array {
    Float32Array::new_with_byte_offset_and_length(&memory().buffer(), ptr as u32, len as u32)
}

fn mixer() -> WasmMixer {
    let mut mixer = WasmMixer::new(48_000.0, 3, 2, FRAMES, 0).unwrap();
    mixer.set_matrix(2, 3, &[1.0, 0.5, 0.0, 0.0, 0.0, 0.25], Some(0.0), 0.0).unwrap();
    mixer
}

#[wasm_bindgen_test]
fn processes_through_views_on_wasm_memory() {
    let mut mixer = mixer();
    let input = view(mixer.input_ptr(), 3 * FRAMES);
    input.fill(0.2, 0, FRAMES as u32);
    input.fill(0.4, FRAMES as u32, 2 * FRAMES as u32);
    input.fill(-0.8, 2 * FRAMES as u32, 3 * FRAMES as u32);
    assert!(mixer.process(0.0));
    let output = view(mixer.output_ptr(), 2 * FRAMES).to_vec();
    // Every output is late by the limiter's look-ahead: silence first, then the mix.
    let late = mixer.latency_frames();
    assert_eq!(late, 72);
    assert!(output[..late].iter().chain(&output[FRAMES..FRAMES + late]).all(|&x| x == 0.0));
    assert!(output[late..FRAMES].iter().all(|&x| (x - 0.4).abs() < 1e-6), "{}", output[late]);
    assert!(output[FRAMES + late..].iter().all(|&x| (x + 0.2).abs() < 1e-6), "{}", output[FRAMES + late]);
    let meters = view(mixer.meter_ptr(), 3 * METER_FIELDS).to_vec();
    assert!((meters[0] - 0.2).abs() < 1e-6 && (meters[1] - 0.2).abs() < 1e-6, "{meters:?}");
    assert_eq!(meters[2], 1.0, "voice");
    assert!((meters[2 * METER_FIELDS] - 0.8).abs() < 1e-6);
    // Then each output's meter, after the limiter: output 0 is 0.2 + 0.5·0.4, output 1 is 0.25·−0.8.
    let outputs = view(mixer.meter_ptr(), 5 * METER_FIELDS).to_vec();
    assert!((outputs[3 * METER_FIELDS + 1] - 0.4).abs() < 1e-6, "{outputs:?}");
    assert!((outputs[4 * METER_FIELDS + 1] - 0.2).abs() < 1e-6, "{outputs:?}");
}

#[wasm_bindgen_test]
fn scheduled_changes_land_on_their_frame_of_the_given_clock() {
    let mut mixer = mixer();
    let start = 480_000.0; // the worklet's currentFrame ten seconds in
    mixer.set_gain(0, 0, 0.0, Some(0.0), start + 200.0).unwrap();
    let input = view(mixer.input_ptr(), 3 * FRAMES);
    let mut output0 = Vec::new();
    for block in 0..3 {
        input.fill(0.25, 0, FRAMES as u32);
        input.fill(0.0, FRAMES as u32, 3 * FRAMES as u32);
        assert!(mixer.process(start + (block * FRAMES) as f64));
        output0.extend(view(mixer.output_ptr(), FRAMES).to_vec());
    }
    // Heard the limiter's look-ahead later: silence, the mix at 0.25 until frame 200, then nothing.
    let heard = output0.split_off(mixer.latency_frames());
    assert!(output0.iter().all(|&x| x == 0.0));
    assert!(heard[..200].iter().all(|&x| x == 0.25) && heard[200..].iter().all(|&x| x == 0.0));
}

#[wasm_bindgen_test]
fn views_must_be_rebuilt_after_memory_grows() {
    let mut mixer = mixer();
    let stale = view(mixer.input_ptr(), 3 * FRAMES);
    let pages_before = memory().grow(0);
    let ballast = vec![1u8; 32 << 20]; // 32 MiB: more than any free space, so memory must grow
    assert!(memory().grow(0) > pages_before, "memory grew");
    assert_eq!(stale.length(), 0, "the old view is detached");
    let fresh = view(mixer.input_ptr(), 3 * FRAMES);
    fresh.fill(0.5, 0, FRAMES as u32);
    assert!(mixer.process(0.0));
    assert_eq!(view(mixer.output_ptr(), 2 * FRAMES).get_index(mixer.latency_frames() as u32 + 7), 0.5);
    drop(ballast);
}

#[wasm_bindgen_test]
fn any_block_size_and_gains_in_js() {
    let mut mixer = mixer();
    let mut played = 0;
    for frames in [1, 64, 127, 128, 256, 1024] {
        mixer.set_frames(frames);
        view(mixer.input_ptr(), 3 * frames).fill(0.1, 0, 3 * frames as u32);
        mixer.set_gain(1, 2, 1.0, Some(0.0), 0.0).unwrap();
        assert!(mixer.process(0.0));
        let output = view(mixer.output_ptr(), 2 * frames).to_vec();
        assert_eq!(output.len(), 2 * frames);
        // Silence until the look-ahead has passed, the constant mix after.
        played += frames;
        let sounding = played > mixer.latency_frames();
        let (first, second) = if sounding { (0.15, 0.1) } else { (0.0, 0.0) };
        assert!((output[frames - 1] - first).abs() < 1e-6 && (output[2 * frames - 1] - second).abs() < 1e-6);
    }
    assert_eq!(mixer.gain(1, 2), Some(1.0));
    assert_eq!(mixer.gain(5, 0), None);
}

#[wasm_bindgen_test]
fn nan_inputs_come_out_silent_and_counted() {
    let mut mixer = mixer();
    view(mixer.input_ptr(), 3 * FRAMES).fill(f32::NAN, 0, 3 * FRAMES as u32);
    assert!(mixer.process(0.0));
    assert!(view(mixer.output_ptr(), 2 * FRAMES).to_vec().iter().all(|&x| x == 0.0));
    assert_eq!(view(mixer.meter_ptr(), 3 * METER_FIELDS).get_index(3), FRAMES as f32);
}

#[wasm_bindgen_test]
fn refusals_are_js_errors_with_a_reason() {
    let mut mixer = mixer();
    let message = |error: JsValue| error.dyn_into::<js_sys::Error>().unwrap().message().as_string().unwrap();
    assert_eq!(message(mixer.set_gain(0, 0, 99.0, None, 0.0).unwrap_err()), "gain (linear, 0..=16)");
    assert_eq!(
        message(mixer.set_matrix(2, 2, &[1.0], None, 0.0).unwrap_err()),
        "matrix gain count is not outputs × inputs"
    );
    assert_eq!(
        message(mixer.play_tone(880.0, 100.0, 0.1, 5.0, &[7]).unwrap_err()),
        "index or size out of range"
    );
    assert!(WasmMixer::new(48_000.0, 0, 2, FRAMES, 0).is_err());
    mixer.play_tone(880.0, 100.0, 0.1, 5.0, &[0, 1]).unwrap();
    assert!(mixer.process(0.0));
}

#[wasm_bindgen_test]
fn a_scheduled_gain_after_a_scheduled_matrix_lands_in_wasm_too() {
    let mut mixer = WasmMixer::new(48_000.0, 1, 1, FRAMES, 0).unwrap();
    mixer.set_matrix(1, 1, &[1.0], Some(0.0), 0.0).unwrap();
    mixer.set_matrix(1, 1, &[0.5], Some(0.0), 1001.0).unwrap();
    mixer.set_gain(0, 0, 0.0, Some(0.0), 24_003.0).unwrap();
    let mut out = Vec::new();
    for block in 0..(48_000 / FRAMES) {
        view(mixer.input_ptr(), FRAMES).fill(0.5, 0, FRAMES as u32);
        assert!(mixer.process((block * FRAMES) as f64));
        out.extend(view(mixer.output_ptr(), FRAMES).to_vec());
    }
    let out = &out[mixer.latency_frames()..]; // frame t of the mix, heard the look-ahead later
    assert_eq!((out[1000], out[1001], out[24_002], out[24_003]), (0.5, 0.25, 0.25, 0.0));
}
