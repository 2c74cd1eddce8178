"""Mandates (lettres de mission) and their follow-ups: a sub-package of the `ideas` app.

Its models keep the app label `ideas` and are imported back by ideas/models.py. Nothing is
imported here, so that ideas/models.py can import ideas.mandates.models at startup.
"""
