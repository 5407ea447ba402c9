//! HTTP clients for the sites: identity, compute, network, volume and the storage array.
