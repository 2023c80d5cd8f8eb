//! The plumbing between the outside and the objects: the HTTP routes, the WebSocket shell both
//! objects share, liveness and rate limiting, alarms, stored rows, the call's standing link to its
//! team, and the door to the archive.

pub mod alarm_clock;
pub mod archive;
pub mod presence;
pub mod rate_limit;
pub mod record_row;
pub mod routes;
pub mod sign_in_config;
pub mod socket_shell;
pub mod sockets;
pub mod team_link;
