"""Changes to the needs board, one module per step of a need's life: `posting`, `review`,
`pledges` (and contributions), `delivery` (and confirmation, thanks), `deadlines` (the daily
jobs), `masking`, `rules` (the review rules); what they share is in `common`. Callers import
the module they need (`from tongxing.needs.actions import review`); nothing is re-exported
here. The bulk writer of recorded histories is `tongxing.needs.records`; who may do what,
`tongxing.needs.rights`."""
