"""The benchmark's measures, one module each, as compare.py runs them in order: ``nets``, ``limits``, ``svc``,
``part2``, ``run`` (the whole run, and ``--workers``), ``memory``, ``bf16``, ``coverage``, ``step``; ``machine``
says what the machine is and does, ``report`` writes the one results file per machine kind."""
