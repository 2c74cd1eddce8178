"""The forum pages, by moment: preparing, the room, the results (`juries.urls` lists them)."""
