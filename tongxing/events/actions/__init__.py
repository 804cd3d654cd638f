"""Every change of events, exemplars, publicity and policies, by area: `events` (events,
their outcomes, the e-commerce service centre), `exemplars` (awards and stories) and
`publicity` (publicity items and the policy library)."""
