"""The figures of consumption and e-commerce assistance (indicators.md, sections 7 and 8),
declared as measures (`tongxing.figures.Measure`); the indicators catalogue finds them here
by code."""

from tongxing.figures import Measure

MEASURES: dict[str, Measure] = {}
