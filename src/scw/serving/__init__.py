"""Serving the published marts: the published layout and its readers, the
role map, the segment API and the order-entry hook."""
