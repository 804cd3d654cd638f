"""The visits' figures (indicators.md, section 4), declared as measures
(`tongxing.figures.Measure`); the indicators catalogue finds them here by code."""

from tongxing.figures import Measure

MEASURES: dict[str, Measure] = {}
