"""Stage 1, the sources: reading and checking raw/ and the pinned downloads into the build's
`raw` schema (the one reader, origin records, transcriptions, long-format sources, downloads,
the inventory and the provenance rows). Imports the shared base (transforms/) and schemas/ only.
"""
