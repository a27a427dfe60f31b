"""`make bench`: our dbt build against a pandas-notebook baseline, from the real size to 100x.

For every scale (``real`` = the Kaggle files, ``N`` = demo data at N x Olist) the driver runs, on
the same files and with warm page cache:

* the **floor** (:mod:`.floor`): DuckDB alone counting every raw file once (the least any
  raw -> mart path costs);
* our **full build**: ``dbt build`` on a fresh warehouse (wall time, peak RSS of the process tree,
  the time of every model and test from ``run_results.json``);
* our **raw -> RFM**: ``dbt build --select +customer_rfm`` on another fresh warehouse;
* the **baseline**: ``bench/baseline_notebook.py`` (pandas + scikit-learn, k = our build's k);

then writes a Markdown report (default ``bench/RESULTS.md``) with the performance targets.

Modules: :mod:`.settings` (paths, limits, targets), :mod:`.measure` (a measured subprocess),
:mod:`.data` (the data of a scale, the code fingerprint), :mod:`.dbt_runs` (dbt runs and their
node profile), :mod:`.scale` (one scale's steps), :mod:`.metrics` and :mod:`.report` (the
report), :mod:`.cli` (the command line of ``bench/run_bench.py``).
"""
