"""The figures of events, exemplars, publicity and policies (indicators.md, sections 1, 3, 7
and 9), declared as measures (`tongxing.figures.Measure`); the indicators catalogue finds
them here by code."""

from tongxing.figures import Measure

MEASURES: dict[str, Measure] = {}
