//! When to (re)fetch an identity provider's keys: the policy of the per-isolate key cache, with the
//! clock passed in so that it is tested on the host.
//!
//! Keys are kept for a TTL, then fetched again; a token naming a `kid` the cache does not know also
//! triggers a fetch (that is how a rotated-in key is picked up). Every fetch, for either reason, is
//! at most one per `min_refetch_ms`: a flood of made-up `kid`s costs the provider one request per
//! interval, not one per token. A failed fetch keeps the keys already held (an unreachable provider
//! does not lock out people whose tokens are signed with a known key) and counts as an attempt.

use crate::auth::jwk::{Algorithm, PinnedKey};

/// What the cache says about a token's key.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Verify with this key.
    Key(&'a PinnedKey),
    /// Fetch the key set first (none held, TTL passed, or an unknown `kid` and a fetch is allowed).
    Fetch,
    /// No such key, and the last fetch was too recent to try again.
    Unknown,
}

/// The keys of one provider and when they were fetched (milliseconds of the worker's clock).
#[derive(Debug)]
pub struct KeyCache {
    keys: Vec<PinnedKey>,
    fetched_at: Option<u64>,
    last_attempt: Option<u64>,
    ttl_ms: u64,
    min_refetch_ms: u64,
}

impl KeyCache {
    pub fn new(ttl_ms: u64, min_refetch_ms: u64) -> KeyCache {
        KeyCache { keys: Vec::new(), fetched_at: None, last_attempt: None, ttl_ms, min_refetch_ms }
    }

    /// Whether the cache was made for these settings (a changed configuration starts a new one).
    pub fn has_policy(&self, ttl_ms: u64, min_refetch_ms: u64) -> bool {
        (self.ttl_ms, self.min_refetch_ms) == (ttl_ms, min_refetch_ms)
    }

    fn may_fetch(&self, now: u64) -> bool {
        self.last_attempt.is_none_or(|at| now >= at.saturating_add(self.min_refetch_ms))
    }

    fn fresh(&self, now: u64) -> bool {
        self.fetched_at.is_some_and(|at| now < at.saturating_add(self.ttl_ms))
    }

    /// The key for a token whose header names `kid` (or none) and `alg`. Without a `kid`, the one
    /// key of that algorithm is meant; with several there is no telling which, so none is.
    pub fn lookup(&self, kid: Option<&str>, alg: Algorithm, now: u64) -> Lookup<'_> {
        if !self.fresh(now) && self.may_fetch(now) {
            return Lookup::Fetch;
        }
        let found = match kid {
            Some(kid) => self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)),
            None => {
                let mut of_alg = self.keys.iter().filter(|k| k.alg == alg);
                of_alg.next().filter(|_| of_alg.next().is_none())
            }
        };
        match found {
            Some(key) => Lookup::Key(key),
            None if self.may_fetch(now) => Lookup::Fetch,
            None => Lookup::Unknown,
        }
    }

    /// Records that a fetch is starting (successful or not, it counts against the interval).
    pub fn attempt(&mut self, now: u64) {
        self.last_attempt = Some(now);
    }

    /// Replaces the keys with a freshly fetched set.
    pub fn store(&mut self, keys: Vec<PinnedKey>, now: u64) {
        self.keys = keys;
        self.fetched_at = Some(now);
    }

    /// Whether any keys are held (for the error when none can be had).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 600_000;
    const INTERVAL: u64 = 30_000;

    fn key(kid: &str, alg: Algorithm) -> PinnedKey {
        PinnedKey { kid: Some(kid.into()), alg, public_jwk: "{}".into() }
    }

    fn cache_with(keys: Vec<PinnedKey>, now: u64) -> KeyCache {
        let mut cache = KeyCache::new(TTL, INTERVAL);
        assert_eq!(cache.lookup(Some("a"), Algorithm::Rs256, now), Lookup::Fetch, "nothing held yet");
        cache.attempt(now);
        cache.store(keys, now);
        cache
    }

    #[test]
    fn a_known_kid_is_served_until_the_ttl_then_fetched_again() {
        let cache = cache_with(vec![key("a", Algorithm::Rs256)], 0);
        assert!(
            matches!(cache.lookup(Some("a"), Algorithm::Rs256, TTL - 1), Lookup::Key(k) if k.kid.as_deref() == Some("a"))
        );
        assert_eq!(cache.lookup(Some("a"), Algorithm::Rs256, TTL), Lookup::Fetch);
    }

    #[test]
    fn an_unknown_kid_fetches_at_most_once_per_interval() {
        let mut cache = cache_with(vec![key("a", Algorithm::Rs256)], 0);
        assert_eq!(cache.lookup(Some("b"), Algorithm::Rs256, 1), Lookup::Unknown, "just fetched");
        assert_eq!(cache.lookup(Some("b"), Algorithm::Rs256, INTERVAL), Lookup::Fetch);
        cache.attempt(INTERVAL);
        // The fetch did not bring "b" (made up): the flood that follows waits a whole interval.
        cache.store(vec![key("a", Algorithm::Rs256)], INTERVAL);
        for now in [INTERVAL + 1, INTERVAL + 10, 2 * INTERVAL - 1] {
            assert_eq!(cache.lookup(Some(&format!("made-up-{now}")), Algorithm::Rs256, now), Lookup::Unknown);
        }
        assert_eq!(cache.lookup(Some("zz"), Algorithm::Rs256, 2 * INTERVAL), Lookup::Fetch);
    }

    #[test]
    fn a_failed_fetch_keeps_the_keys_held_and_still_counts() {
        let mut cache = cache_with(vec![key("a", Algorithm::EdDsa)], 0);
        assert_eq!(cache.lookup(Some("a"), Algorithm::EdDsa, TTL), Lookup::Fetch);
        cache.attempt(TTL); // ...and the provider does not answer: nothing stored.
        assert!(
            matches!(cache.lookup(Some("a"), Algorithm::EdDsa, TTL + 1), Lookup::Key(_)),
            "stale but held"
        );
        assert_eq!(cache.lookup(Some("new"), Algorithm::EdDsa, TTL + 1), Lookup::Unknown, "fails closed");
        assert_eq!(cache.lookup(Some("a"), Algorithm::EdDsa, TTL + INTERVAL), Lookup::Fetch, "tries again");
        assert!(!cache.is_empty());
    }

    #[test]
    fn without_a_kid_only_a_single_key_of_the_algorithm_is_chosen() {
        let cache = cache_with(
            vec![key("r", Algorithm::Rs256), key("e1", Algorithm::Es256), key("e2", Algorithm::Es256)],
            0,
        );
        assert!(
            matches!(cache.lookup(None, Algorithm::Rs256, 1), Lookup::Key(k) if k.kid.as_deref() == Some("r"))
        );
        assert_eq!(cache.lookup(None, Algorithm::Es256, 1), Lookup::Unknown);
        assert_eq!(cache.lookup(None, Algorithm::EdDsa, 1), Lookup::Unknown);
    }

    #[test]
    fn the_policy_it_was_made_with_is_recognised() {
        let cache = KeyCache::new(TTL, INTERVAL);
        assert!(cache.has_policy(TTL, INTERVAL) && !cache.has_policy(2_000, INTERVAL));
        assert!(cache.is_empty());
    }
}
