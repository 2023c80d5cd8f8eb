//! Runs every fuzz target: `EARSHOT_FUZZ_CASES` inputs each (default 3,000, the gate's smoke run;
//! `scripts/bench-fuzz.sh` runs millions). Prints one line per target: inputs, the share its parser
//! accepted, time. Any panic fails the run with proptest's shrunk reproducer.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use earshot_fuzz::{mutate, targets};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn cases() -> u32 {
    std::env::var("EARSHOT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000)
}

#[test]
fn every_wire_parser_survives_mutated_input() {
    let cases = cases();
    let mut total = 0u64;
    let started = Instant::now();
    for target in targets::all() {
        let config =
            Config { cases, failure_persistence: None, max_shrink_iters: 10_000, ..Config::default() };
        // A fixed seed per run of the bench would repeat the same inputs; the time makes each run new
        // while the printed seed lets a finding be replayed.
        let seed =
            std::env::var("EARSHOT_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
        let accepted = Cell::new(0u64);
        let t0 = Instant::now();
        let strategy = mutate::input(Rc::new(target.seeds.clone()));
        let outcome = runner.run(&strategy, |input| {
            if (target.run)(&input) {
                accepted.set(accepted.get() + 1);
            }
            Ok(())
        });
        let seconds = t0.elapsed().as_secs_f64();
        println!(
            "fuzz {:<28} {cases:>11} inputs, {:>5.1} % parsed, {seconds:>7.1} s, seed {seed}",
            target.name,
            100.0 * accepted.get() as f64 / f64::from(cases),
        );
        if let Err(failure) = outcome {
            panic!("{} panicked: {failure}", target.name);
        }
        total += u64::from(cases);
    }
    println!("fuzz total {total} inputs in {:.1} s, 0 panics", started.elapsed().as_secs_f64());
}
