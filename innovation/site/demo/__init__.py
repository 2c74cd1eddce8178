"""The demo data (`manage.py seed_demo`), as data modules: the command only writes them."""
