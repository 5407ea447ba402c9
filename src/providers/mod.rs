//! HTTP clients for the sites: identity, compute, network, volume and the storage array.
//! The only place that knows the client side of the wire formats (API.md): each service keeps
//! its serde structs private and hands out plain Rust types. Every failure is a `ProviderError`.

pub mod array;
pub mod compute;
pub mod error;
mod error_body;
mod http;
pub mod identity;
pub mod lab_control;
pub mod network;
mod session;
pub mod site;
pub mod volume;

#[cfg(test)]
mod tests;

pub use array::Array;
pub use compute::Compute;
pub use error::{ErrorKind, ProviderError, Service};
pub use identity::Identity;
pub use network::Networking;
pub use site::{SiteClient, SiteProbe};
pub use volume::BlockStorage;
