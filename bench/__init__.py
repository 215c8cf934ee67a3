"""Benchmarks: the engine measured side by side against the bare libraries and a peer engine.

Run ``python -m bench --quick`` (CI smoke run) or ``python -m bench --full``; see bench/README.md.
"""
