// Simulated nodes and their LAN for privileged multi-node tests; see docs/testing.md.
import SystemSupport
