// The daemon tests (issue 7) live in this target; see docs/node-agent.md.
import NodeAgent
