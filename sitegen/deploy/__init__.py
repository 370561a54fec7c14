"""`sitegen deploy`: the built output folder published to object storage (S3 or S3-compatible) and a CDN.

config → local files and their headers → remote state (manifest, listing) → plan → lock → upload → deletes → CDN.
"""
