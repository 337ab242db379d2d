"""What people see, reading tables only: notebook HTML and terminal tables, plots, CSV/Parquet export and
``read_export``, the model picker (its state apart from its widgets).

Imports ``pipelines``, ``tables`` and ``support``; never ``snapshot``, ``http`` or the Discovery.
"""
