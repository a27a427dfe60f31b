"""Shared logic of the Olist customer-segmentation dbt project.

dbt Python models, the HTML report and the demo-data generator import from here so that the
same code is unit-tested once with pytest and reused everywhere.
"""

__version__ = "0.1.0"
