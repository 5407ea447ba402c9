//! The built-in two-site lab: a simulator that serves API.md on loopback.
