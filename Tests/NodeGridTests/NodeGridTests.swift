// Multi-node tests of the node agent (issue 7) over GridSupport.
import GridSupport
