"""Datasets built from the snapshot: Parquet by language, translation pairs, Moses text files."""
