"""Supply chain segmentation and cost-to-serve warehouse: tooling package.

The package holds the deterministic demo-data generator and the ``scw`` command
line. The warehouse itself is the dbt project in the repository root.
"""

__version__ = "0.1.0"
