// graphdiff explore: where the generated code puts what it knows of the primitives. Nothing here knows any
// primitive: graphdiff writes G.VALUE, G.PARTIALS, G.DOMAIN and G.KINK (by operation and number of operands)
// and the helpers they call from its table of primitives when it writes the page.
"use strict";
window.GD_RUNTIME = { VALUE: {}, PARTIALS: {}, DOMAIN: {}, KINK: {} };
