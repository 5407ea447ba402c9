//! What the seed services let an operator do, tried over the lab's HTTP with the real binary and
//! the real clients: recovery points, the full option set, preconditions and order, the record and
//! its listing, floating IPs, a failover during a drill, and the task view. Each test counts what
//! exists at both sites afterwards.

#[path = "../common/mod.rs"]
mod common;

mod options;
mod points;
mod preconditions;
mod record;
