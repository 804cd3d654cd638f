"""Tongxing (同行): records, programmes and figures of a social-assistance office."""
