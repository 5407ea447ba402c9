//! Tests of the providers against fake endpoints that answer with API.md's examples.

mod array;
mod compute;
mod decode;
mod fake;
mod fixtures;
mod hostile;
mod http;
mod identity;
mod network;
mod volume;
