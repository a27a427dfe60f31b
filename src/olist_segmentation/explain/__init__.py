"""Explain the segments to the people who use them: profiles, readable rules, feature importance.

K-means centroids in scaled units mean nothing to a marketer. This package turns a segmentation
into three small tables that do, one module per concern:

* :mod:`.profiles`: one row per segment with its size, revenue, the mean, median and z-score of
  each feature, its top states and categories, and the texts of :mod:`.wording` (a one-sentence
  description and a suggested action, generated from the numbers by fixed rules, so they are
  deterministic and change only when the segments do).
* :mod:`.surrogate`: a shallow decision tree fitted once to reproduce the k-means labels from the
  features in their original units, and its round trip through a long warehouse table.
* :mod:`.rules`: that tree printed as one ``if ... then segment`` rule per leaf, with thresholds
  rounded to readable numbers and the fidelity and coverage of the rounded rules that are shown.
* :mod:`.importance`: permutation importance of the same tree, i.e. which features the segment
  boundaries actually depend on.

The customers are split once by a seeded hash of their id (:func:`.surrogate.split_customers`):
the tree is fitted on the fit part (``explain_fit_share``, default 80%) and judged on the held-out
rest, so the rules' ``holdout_fidelity`` and the permutation importance are not scores on
training rows.

Everything is linear in the number of customers: the tree is fitted on a seeded sample of bounded
size, evaluated on every row in fixed-size chunks, and the permutation importance runs on a
bounded sample of the held-out customers.
"""
