"""The product's settings plus the benchmark's own URLs (a bare view to compare against)."""

from tongxing.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
