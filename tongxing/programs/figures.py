"""The pairing programmes' figures (indicators.md, sections 2 and 5), declared as measures
(`tongxing.figures.Measure`); the indicators catalogue finds them here by code."""

from tongxing.figures import Measure

MEASURES: dict[str, Measure] = {}
