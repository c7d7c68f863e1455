"""Benchmarks: plan 1958 under load (run.py) and a whole synthetic province (province.py, province_pages.py)."""
