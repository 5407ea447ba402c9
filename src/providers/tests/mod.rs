//! Tests of the providers against fake endpoints that answer with API.md's examples.
