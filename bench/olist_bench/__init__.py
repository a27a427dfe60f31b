"""`make bench`: the nightly atomic build against a DuckDB floor and a pandas notebook.

For every scale (``real`` = the Kaggle files, ``N`` = demo data at N x Olist) the driver runs, on
the same files and with warm page cache, each step in its own measured process:

* the **floors** (:mod:`.floor`, DuckDB alone): the *scan floor* (counting the rows of the 8 raw
  files) and the *floor* (typed read of the 8 files into tables + the RFM features per person);
* our **first build**: ``python -m olist_segmentation.build`` on a fresh warehouse (decide, then
  the retrain path with the search);
* our **nightly build**: the same command into the same warehouse (decide, then the nightly path:
  no retrain due, checked in ``marts.segment_model_monitoring``);
* our **retrain build**: again with ``--vars '{segment_retrain: true}'`` (the stability study runs);
* the **baseline**: ``bench/baseline_notebook.py`` (pandas + scikit-learn, k = our build's k);

then writes a Markdown report (default ``bench/RESULTS.md``) with the performance targets.

Modules: :mod:`.settings` (paths, limits, targets), :mod:`.measure` (a measured subprocess),
:mod:`.data` (the data of a scale, the code fingerprint), :mod:`.dbt_runs` (dbt's environment and
run_results), :mod:`.builds` (an atomic build, its runs, phases and node groups), :mod:`.scale`
(one scale's steps), :mod:`.metrics`, :mod:`.report` and :mod:`.report_time` (the report),
:mod:`.cli` (the command line of ``bench/run_bench.py``).
"""
